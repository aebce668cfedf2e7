-- Members before vs after joining the loyalty program: for members whose join date (member_since)
-- lies at least 365 days after the data start and 365 days before the data end, and who were
-- customers (first order or signup) at least 365 days before joining: revenue, orders and
-- active (1 if >= 1 order) in the 365 days before joining vs the 365 days from the join day on.
-- One row per kpi with n, mean before, mean after, mean and sample variance of the paired
-- difference (after - before). Segment/region/channel/store filters apply; the period does not.
-- Definitions: docs/metrics.md#measures. Parameters: $segments, $regions, $channels, $stores.
with data_bounds as (
    select min(order_date) as data_start, max(order_date) as data_end
    from transactions
),

dimension_orders as (
    select *
    from orders
    where (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

-- first order per customer, looked at up to the latest day a join date can need (member_since - 365 with
-- member_since <= data end - 364): a later first order never decides "customer 365 days before joining"
first_orders as (
    select o.customer_id, min(o.order_date) as first_order
    from orders o
    cross join data_bounds b
    where o.order_date <= b.data_end - 729
    group by o.customer_id
),

joiners as (
    select c.customer_id, min(c.member_since) as joined
    from customers c
    join customer_attributes a on a.customer_id = c.customer_id
    left join first_orders f on f.customer_id = c.customer_id
    cross join data_bounds b
    where c.loyalty_member
      and c.member_since is not null
      and c.member_since >= b.data_start + 365
      and c.member_since <= b.data_end - 364
      and least(f.first_order, c.signup_date) <= c.member_since - 365
      and (len($segments) = 0 or list_contains($segments, a.segment))
      and (len($regions) = 0 or list_contains($regions, a.region))
    group by c.customer_id
),

per_member as (
    select j.customer_id,
           count(o.customer_id) filter (where o.order_date < j.joined) as orders_before,
           count(o.customer_id) filter (where o.order_date >= j.joined) as orders_after,
           coalesce(sum(o.revenue) filter (where o.order_date < j.joined), 0) as revenue_before,
           coalesce(sum(o.revenue) filter (where o.order_date >= j.joined), 0) as revenue_after
    from joiners j
    left join dimension_orders o
      on o.customer_id = j.customer_id
     and o.order_date >= j.joined - 365
     and o.order_date <= j.joined + 364
    group by j.customer_id
),

outcomes_long as (
    select 'revenue_per_customer' as kpi, revenue_before as before, revenue_after as after from per_member
    union all
    select 'orders_per_customer', cast(orders_before as double), cast(orders_after as double) from per_member
    union all
    select 'active_rate', case when orders_before > 0 then 1.0 else 0.0 end,
           case when orders_after > 0 then 1.0 else 0.0 end
    from per_member
),

final as (
    select kpi, count(*) as n, avg(before) as mean_before, avg(after) as mean_after,
           avg(after - before) as mean_diff, var_samp(after - before) as var_diff
    from outcomes_long
    group by kpi
)

select * from final order by kpi
