-- Repeat purchase per period bucket ($grain: 'month', 'quarter' or 'week'): the customers with >= 1 order
-- in the bucket, the share of them with >= 2 orders in the same bucket (repeat purchase rate), the share
-- with exactly one (one-time buyers) and orders per customer. A customer counts in every bucket in which
-- they ordered. Buckets cut by $start/$end only hold the days inside the period.
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

per_customer_bucket as (
    -- customer_no: the integer customer key (faster to group by than the text id)
    select cast(date_trunc($grain, order_date) as date) as period, customer_no, count(*) as orders
    from filtered_orders
    group by all
),

final as (
    select
        period,
        case $grain
            when 'quarter' then strftime(period, '%Y') || '-Q' || quarter(period)
            when 'week' then strftime(period, '%G-W%V')
            else strftime(period, '%Y-%m')
        end as period_label,
        count(*) as customers,
        cast(sum(orders) as bigint) as orders,
        count(*) filter (where orders >= 2) / count(*) as repeat_purchase_rate,
        count(*) filter (where orders = 1) / count(*) as one_time_buyer_share,
        sum(orders) / count(*) as orders_per_customer
    from per_customer_bucket
    group by period
)

select * from final order by period
