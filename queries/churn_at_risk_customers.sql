-- Customers at risk as of $as_of (definition as in churn_status.sql: $at_risk_after_days < days since the
-- last order <= $inactive_after_days; only orders matching the dimension filters count), for a win-back
-- campaign. Per customer: segment, region, last order date, orders and revenue up to $as_of, revenue in the
-- 12 months up to $as_of, days since the last order and days overdue = days since the last order -
-- $at_risk_after_days (how far past the usual rhythm). Sorted by revenue of the last 12 months.
-- Parameters: $as_of, $at_risk_after_days, $inactive_after_days, $segments, $regions, $channels, $stores.
with scoped_orders as not materialized (
    -- the shared dimension filters; the period is "everything up to the as-of date"
    select *
    from orders
    where order_date <= $as_of
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

at_risk as (
    -- the customers whose last order lies in the at-risk window: an order in the last $inactive_after_days
    -- days up to $as_of, but none in the last $at_risk_after_days days (only these orders are read here;
    -- customer_no is the integer customer key)
    select customer_no
    from scoped_orders
    where order_date >= cast($as_of as date) - cast($inactive_after_days as integer)
    group by customer_no
    having max(order_date) < cast($as_of as date) - cast($at_risk_after_days as integer)
),

per_customer as (
    -- all their orders up to $as_of
    select
        any_value(o.customer_id) as customer_id,
        any_value(o.segment) as segment,
        any_value(o.region) as region,
        max(o.order_date) as last_order_date,
        count(*) as orders,
        sum(o.revenue) as revenue,
        coalesce(sum(o.revenue) filter (where o.order_date > cast($as_of as date) - interval 12 month), 0)
            as revenue_last_12_months,
        date_diff('day', max(o.order_date), cast($as_of as date)) as days_since_last_order
    from scoped_orders o
    join at_risk r on r.customer_no = o.customer_no
    group by o.customer_no
),

final as (
    select
        customer_id, segment, region, last_order_date, days_since_last_order,
        days_since_last_order - $at_risk_after_days as days_overdue,
        orders, revenue_last_12_months, revenue
    from per_customer
)

select * from final order by revenue_last_12_months desc, days_overdue desc, customer_id
