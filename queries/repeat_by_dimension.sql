-- Repeat purchase split by one dimension ($dimension: 'segment', 'region', 'channel' or 'loyalty_member').
-- Per value: customers with >= 1 order, repeat purchase rate (>= 2 orders), share of one-time buyers and
-- orders per customer. Segment, region and loyalty membership belong to the customer; channel belongs to
-- the order, so a customer is counted in each channel they bought in, with their orders in that channel
-- (the row for a channel equals the result of filtering on that channel). Missing values give NULL.
-- Parameters: $dimension, $start, $end, $segments, $regions, $channels, $stores.
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

labelled_orders as (
    -- customer_no: the integer customer key (faster to group by than the text id)
    select
        customer_no,
        case $dimension
            when 'segment' then segment
            when 'region' then region
            when 'channel' then channel
            when 'loyalty_member' then cast(loyalty_member as varchar)
        end as dimension_value
    from filtered_orders
),

per_customer as (
    select dimension_value, customer_no, count(*) as orders
    from labelled_orders
    group by all
),

final as (
    select
        dimension_value,
        count(*) as customers,
        cast(sum(orders) as bigint) as orders,
        count(*) filter (where orders >= 2) / count(*) as repeat_purchase_rate,
        count(*) filter (where orders = 1) / count(*) as one_time_buyer_share,
        sum(orders) / count(*) as orders_per_customer
    from per_customer
    group by dimension_value
)

select * from final order by customers desc, dimension_value
