-- Category affinity at basket level (same order) within the period, one row per ordered pair (A, B),
-- A <> B, both directions. An order is the order of the `orders` view (an order_id, or one customer's
-- rows of one day where order_id is empty). A category counts for an order when the order's net
-- revenue in it is > 0, so a returned line later booked on the same order_id removes it.
-- orders_both = orders with A and B; support = orders_both / orders with >= 1 counted category;
-- confidence = orders_both / orders with A; lift = confidence / (orders with B / orders with a category).
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
with order_lines as (
    select order_key, category, revenue, lines
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

basket_categories as (
    select order_key, category
    from order_lines
    where category is not null
    group by order_key, category
    having round(sum(revenue), 2) > 0
),

category_orders as (
    select count(distinct order_key) as orders
    from basket_categories
),

orders_per_category as (
    select category, count(*) as orders
    from basket_categories
    group by category
),

pair_counts as (
    select a.category as category_a, b.category as category_b, count(*) as orders_both
    from basket_categories a
    join basket_categories b on a.order_key = b.order_key and a.category < b.category
    group by a.category, b.category
),

ordered_pairs as (
    select a.category as category_a, b.category as category_b,
           a.orders as orders_a, b.orders as orders_b,
           coalesce(p.orders_both, 0) as orders_both
    from orders_per_category a
    join orders_per_category b on a.category <> b.category
    left join pair_counts p
      on p.category_a = least(a.category, b.category) and p.category_b = greatest(a.category, b.category)
),

final as (
    select
        o.category_a,
        o.category_b,
        o.orders_a,
        o.orders_b,
        o.orders_both,
        o.orders_both / n.orders as support,
        o.orders_both / o.orders_a as confidence,
        (o.orders_both / o.orders_a) / (o.orders_b / n.orders) as lift
    from ordered_pairs o
    cross join category_orders n
)

select * from final order by lift desc, orders_both desc, category_a, category_b
