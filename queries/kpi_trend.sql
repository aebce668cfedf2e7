-- Revenue, orders and active customers per period bucket ($grain: 'month', 'quarter' or 'week').
-- An active customer of a bucket has >= 1 order in that bucket.
-- Parameters: $grain, $start, $end, $segments, $regions, $channels, $stores.
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

final as (
    select
        cast(date_trunc($grain, order_date) as date) as period,
        count(distinct customer_id) as active_customers,
        count(*) as orders,
        sum(revenue) as revenue
    from filtered_orders
    group by 1
)

select * from final order by period
