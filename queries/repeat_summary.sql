-- Repeat purchase for one period and filter: active customers, orders, repeat customers (>= 2 orders),
-- one-time buyers (exactly 1 order), repeat purchase rate, share of one-time buyers, orders per customer.
-- Definitions: docs/metrics.md#repeat-purchase-cohorts-and-churn.
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
    -- customer_no: the integer customer key (faster to group by than the text id)
    select customer_no, count(*) as orders
    from filtered_orders
    group by customer_no
),

final as (
    select
        count(*) as customers,
        cast(coalesce(sum(orders), 0) as bigint) as orders,
        count(*) filter (where orders >= 2) as repeat_customers,
        count(*) filter (where orders = 1) as one_time_buyers,
        count(*) filter (where orders >= 2) / nullif(count(*), 0) as repeat_purchase_rate,
        count(*) filter (where orders = 1) / nullif(count(*), 0) as one_time_buyer_share,
        sum(orders) / nullif(count(*), 0) as orders_per_customer
    from per_customer
)

select * from final
