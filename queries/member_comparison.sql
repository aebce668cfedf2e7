-- Loyalty-program members vs non-members in the selected period and filters: one row per (status,
-- kpi) with n, mean and sample variance. status 'member' = loyalty_member and joined (member_since)
-- on or before the period end (or join date unknown), else 'non_member'. KPIs over active customers
-- (>= 1 order in the period): revenue_per_customer, orders_per_customer; retention_rate over the
-- customers active in the preceding period of the same length: 1 if they order again in the period.
-- Self-selection: members differ before joining; this is a description, not an effect.
-- Definitions: docs/metrics.md#measures. Parameters: $start, $end, $segments, $regions, $channels, $stores.
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

previous_orders as (
    select *
    from orders
    where order_date between $start - cast(date_diff('day', $start, $end) + 1 as integer) and $start - 1
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

status as (
    select customer_id,
           case when loyalty_member and (member_since is null or member_since <= $end) then 'member'
                else 'non_member' end as status
    from customer_attributes
),

active as (
    select customer_id, count(*) as orders, sum(revenue) as revenue
    from filtered_orders
    group by customer_id
),

previously_active as (
    select distinct customer_id
    from previous_orders
),

outcomes_long as (
    select coalesce(s.status, 'non_member') as status, 'revenue_per_customer' as kpi, a.revenue as value
    from active a
    left join status s on s.customer_id = a.customer_id
    union all
    select coalesce(s.status, 'non_member'), 'orders_per_customer', cast(a.orders as double)
    from active a
    left join status s on s.customer_id = a.customer_id
    union all
    select coalesce(s.status, 'non_member'), 'retention_rate', case when a.customer_id is null then 0.0 else 1.0 end
    from previously_active p
    left join active a on a.customer_id = p.customer_id
    left join status s on s.customer_id = p.customer_id
),

final as (
    select status, kpi, count(*) as n, avg(value) as mean, var_samp(value) as variance
    from outcomes_long
    group by status, kpi
)

select * from final order by kpi, status
