-- Churn status as of $as_of. Customers = everyone with >= 1 order on or before $as_of (only orders
-- matching the dimension filters count). days_since_last_order = $as_of - date of their last order.
-- active: days <= $at_risk_after_days; at_risk: $at_risk_after_days < days <= $inactive_after_days;
-- inactive: days > $inactive_after_days. Per status: customers, their share of all customers and their
-- revenue in the 12 months up to $as_of (orders after $as_of - 12 months); the at_risk row's revenue is the
-- revenue at risk.
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
    -- customer_no: the integer customer key (faster to group by than the text id)
    select
        customer_no,
        date_diff('day', max(order_date), cast($as_of as date)) as days_since_last_order,
        coalesce(sum(revenue) filter (where order_date > cast($as_of as date) - interval 12 month), 0)
            as revenue_last_12_months
    from scoped_orders
    group by customer_no
),

classified as (
    select
        *,
        case
            when days_since_last_order <= $at_risk_after_days then 'active'
            when days_since_last_order <= $inactive_after_days then 'at_risk'
            else 'inactive'
        end as status
    from per_customer
),

statuses as (
    select * from (values (1, 'active'), (2, 'at_risk'), (3, 'inactive')) as s(sort_order, status)
),

final as (
    select
        s.status,
        count(c.customer_no) as customers,
        count(c.customer_no) / nullif(sum(count(c.customer_no)) over (), 0) as share,
        coalesce(sum(c.revenue_last_12_months), 0) as revenue_last_12_months
    from statuses s
    left join classified c using (status)
    group by s.status, s.sort_order
    order by s.sort_order
)

select * from final
