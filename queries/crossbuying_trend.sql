-- Cross-buying over time: per period bucket ($grain: 'month', 'quarter' or 'year', by order date) the
-- category buyers of the bucket, the customers with >= 2 counted categories within that bucket, the
-- cross-buying rate of the bucket and the mean categories per customer. Each bucket is evaluated on its
-- own orders only, so a monthly rate is lower than the rate of a whole year.
-- A category counts for a customer when the customer's net revenue in it in the bucket is > 0.
-- Parameters: $grain, $start, $end (inclusive), $segments, $regions, $channels, $stores.

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
with order_lines as (
    select customer_no, cast(date_trunc($grain, order_date) as date) as period, category, revenue, lines
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

customer_categories as (
    select period, customer_no, category
    from order_lines
    where category is not null
    group by period, customer_no, category
    having round(sum(revenue), 2) > 0
),

breadth as (
    select period, customer_no, count(*) as categories
    from customer_categories
    group by period, customer_no
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
