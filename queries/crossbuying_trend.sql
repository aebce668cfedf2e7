-- Cross-buying over time: per period bucket ($grain: 'month', 'quarter' or 'year', by order date) the
-- category buyers of the bucket, the customers with >= 2 counted categories within that bucket, the
-- cross-buying rate of the bucket and the mean categories per customer. Each bucket is evaluated on its
-- own orders only, so a monthly rate is lower than the rate of a whole year.
-- A category counts for a customer when the customer's net revenue in it in the bucket is > 0.
-- Parameters: $grain, $start, $end (inclusive), $segments, $regions, $channels, $stores.
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

-- the rows of the filtered orders (order key as in the `orders` view of loyalty/db.py); a row's date is
-- never before its order's date, so rows before $start cannot belong to a filtered order
order_lines as (
    select fo.customer_id, cast(date_trunc($grain, fo.order_date) as date) as period,
           nullif(trim(t.category), '') as category, t.revenue
    from transactions t
    join filtered_orders fo
      on fo.order_key = coalesce(t.order_id, t.customer_id || '|' || strftime(t.order_date, '%Y-%m-%d'))
    where t.order_date >= $start
),

customer_categories as (
    select period, customer_id, category
    from order_lines
    where category is not null
    group by period, customer_id, category
    having round(sum(revenue), 2) > 0
),

breadth as (
    select period, customer_id, count(*) as categories
    from customer_categories
    group by period, customer_id
),

final as (
    select
        period,
        count(*) as category_buyers,
        count(*) filter (where categories >= 2) as cross_buyers,
        count(*) filter (where categories >= 2) / count(*) as cross_buying_rate,
        avg(categories) as categories_per_customer
    from breadth
    group by period
)

select * from final order by period
