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

-- one row per customer active in the period or in the preceding one, with the status joined once
customer_outcomes as (
    select coalesce(s.status, 'non_member') as status,
           a.customer_id is not null as is_active,
           p.customer_id is not null as was_active,
           a.revenue, cast(a.orders as double) as orders,
           case when a.customer_id is null then 0.0 else 1.0 end as retained
    from active a
    full outer join previously_active p on p.customer_id = a.customer_id
    left join status s on s.customer_id = coalesce(a.customer_id, p.customer_id)
),

per_status as (
    select status,
           count(*) filter (where is_active) as active_n,
           avg(revenue) filter (where is_active) as revenue_mean,
           var_samp(revenue) filter (where is_active) as revenue_variance,
           avg(orders) filter (where is_active) as orders_mean,
           var_samp(orders) filter (where is_active) as orders_variance,
           count(*) filter (where was_active) as previous_n,
           avg(retained) filter (where was_active) as retention_mean,
           var_samp(retained) filter (where was_active) as retention_variance
    from customer_outcomes
    group by status
),

final as (
    select status, 'revenue_per_customer' as kpi, active_n as n, revenue_mean as mean, revenue_variance as variance
    from per_status
    where active_n > 0
    union all
    select status, 'orders_per_customer', active_n, orders_mean, orders_variance from per_status where active_n > 0
    union all
    select status, 'retention_rate', previous_n, retention_mean, retention_variance
    from per_status
    where previous_n > 0
)

select * from final order by kpi, status
