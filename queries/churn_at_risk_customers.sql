-- Customers at risk as of $as_of (definition as in churn_status.sql: $at_risk_after_days < days since the
-- last order <= $inactive_after_days; only orders matching the dimension filters count), for a win-back
-- campaign. Per customer: segment, region, last order date, orders and revenue up to $as_of, revenue in the
-- 12 months up to $as_of, days since the last order and days overdue = days since the last order -
-- $at_risk_after_days (how far past the usual rhythm). Sorted by revenue of the last 12 months.
-- Parameters: $as_of, $at_risk_after_days, $inactive_after_days, $segments, $regions, $channels, $stores.
with scoped_orders as (
    -- the shared dimension filters; the period is "everything up to the as-of date"
    select *
    from orders
    where order_date <= $as_of
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

per_customer as (
    select
        customer_id,
        any_value(segment) as segment,
        any_value(region) as region,
        max(order_date) as last_order_date,
        count(*) as orders,
        sum(revenue) as revenue,
        coalesce(sum(revenue) filter (where order_date > cast($as_of as date) - interval 12 month), 0)
            as revenue_last_12_months,
        date_diff('day', max(order_date), cast($as_of as date)) as days_since_last_order
    from scoped_orders
    group by customer_id
),

final as (
    select
        customer_id, segment, region, last_order_date, days_since_last_order,
        days_since_last_order - $at_risk_after_days as days_overdue,
        orders, revenue_last_12_months, revenue
    from per_customer
    where days_since_last_order > $at_risk_after_days
      and days_since_last_order <= $inactive_after_days
)

select * from final order by revenue_last_12_months desc, days_overdue desc, customer_id
