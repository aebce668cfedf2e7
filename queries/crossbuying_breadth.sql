-- Breadth of relationship against loyalty and value: category buyers grouped by their number of counted
-- categories (1, 2, 3 = "3 or more"), with each group's repeat purchase rate (share with >= 2 orders),
-- orders per customer and revenue per customer (net revenue of all their filtered orders, including
-- rows without category). A category counts when the customer's net revenue in it is > 0.
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

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
order_lines as (
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
    select customer_no, least(count(*), 3) as breadth
    from customer_categories
    group by customer_no
),

customer_orders as (
    select customer_no, count(*) as orders, sum(revenue) as revenue
    from filtered_orders
    group by customer_no
),

final as (
    select
        b.breadth,
        count(*) as customers,
        count(*) / sum(count(*)) over () as share,
        count(*) filter (where o.orders >= 2) / count(*) as repeat_purchase_rate,
        avg(o.orders) as orders_per_customer,
        avg(o.revenue) as revenue_per_customer
    from breadth b
    join customer_orders o using (customer_no)
    group by b.breadth
)

select * from final order by breadth
