-- Distribution of categories per customer: for each number of counted categories (1, 2, 3, ...), the
-- category buyers with that many and their share of all category buyers. A category counts for a
-- customer when the customer's net revenue in it over the filtered orders is > 0 (see crossbuying_rate).
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

-- the rows of the filtered orders (order key as in the `orders` view of loyalty/db.py); a row's date is
-- never before its order's date, so rows before $start cannot belong to a filtered order
order_lines as (
    select fo.customer_id, nullif(trim(t.category), '') as category, t.revenue
    from transactions t
    join filtered_orders fo
      on fo.order_key = coalesce(t.order_id, t.customer_id || '|' || strftime(t.order_date, '%Y-%m-%d'))
    where t.order_date >= $start
),

customer_categories as (
    select customer_id, category
    from order_lines
    where category is not null
    group by customer_id, category
    having round(sum(revenue), 2) > 0
),

breadth as (
    select customer_id, count(*) as categories
    from customer_categories
    group by customer_id
),

final as (
    select
        categories,
        count(*) as customers,
        count(*) / sum(count(*)) over () as share
    from breadth
    group by categories
)

select * from final order by categories
