-- Distribution of categories per customer: for each number of counted categories (1, 2, 3, ...), the
-- category buyers with that many and their share of all category buyers. A category counts for a
-- customer when the customer's net revenue in it over the filtered orders is > 0 (see crossbuying_rate).
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
with order_lines as (
    select customer_no, category, revenue, lines
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

customer_categories as (
    select customer_no, category
    from order_lines
    where category is not null
    group by customer_no, category
    having round(sum(revenue), 2) > 0
),

breadth as (
    select customer_no, count(*) as categories
    from customer_categories
    group by customer_no
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
