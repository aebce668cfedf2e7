-- Cockpit KPIs for one period and filter: active customers, orders, revenue, average order value,
-- repeat purchase rate and orders per customer. Definitions: docs/metrics.md#base-definitions.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

per_customer as (
    select customer_id, count(*) as orders, sum(revenue) as revenue
    from filtered_orders
    group by customer_id
),

final as (
    select
        count(*) as customers,
        coalesce(sum(orders), 0) as orders,
        coalesce(sum(revenue), 0) as revenue,
        sum(revenue) / nullif(sum(orders), 0) as avg_order_value,
        count(*) filter (where orders >= 2) / nullif(count(*), 0) as repeat_purchase_rate,
        sum(orders) / nullif(count(*), 0) as orders_per_customer
    from per_customer
)

select * from final
