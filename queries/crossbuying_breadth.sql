-- Breadth of the customer relationship: the active customers of the period and filters (customers with
-- a filtered order) grouped by their number of counted categories, overall and per customer attribute.
-- A category counts for a customer when the customer's net revenue in it over the lines of the filtered
-- orders is > 0 (rounded to cents): a fully returned category does not count; categories = 0 = active,
-- but no counted category (only lines without category, or everything returned).
-- One row per (dimension, group_value, categories): dimension 'all' (group_value null) or the customer
-- attribute 'segment', 'region', 'loyalty_member' ('true'/'false'; group_value null where empty), with
-- customers, repeat_customers (>= 2 filtered orders), orders and revenue (net, of all their filtered
-- orders, rows without category included), lines and lines_without_category (transaction rows of their
-- filtered orders). The cross-buying rate, categories per customer (mean, median), the distribution,
-- the breadth groups 1 / 2 / 3+ and the rate per customer attribute are sums over these rows
-- (loyalty/crossbuying.py), so one pass over the period's lines serves the whole overview.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).
with filtered_orders as (
    select customer_no, revenue, lines, segment, region, loyalty_member
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

counted_categories as (
    select customer_no, category
    from order_lines
    where category is not null
    group by customer_no, category
    having round(sum(revenue), 2) > 0
),

customer_breadth as (
    select customer_no, count(*) as categories
    from counted_categories
    group by customer_no
),

-- rows without category are few: summed on their own instead of in the grouping by category above
customer_lines_without_category as (
    select customer_no, sum(lines) as lines
    from order_lines
    where category is null
    group by customer_no
),

-- every active customer, with the attributes of the customer (the same on every order)
customer_orders as (
    select customer_no, count(*) as orders, sum(revenue) as revenue, sum(lines) as lines,
           any_value(segment) as segment, any_value(region) as region,
           cast(any_value(loyalty_member) as varchar) as loyalty_member
    from filtered_orders
    group by customer_no
),

customers as (
    select o.*, coalesce(b.categories, 0) as categories, coalesce(n.lines, 0) as lines_without_category
    from customer_orders o
    left join customer_breadth b using (customer_no)
    left join customer_lines_without_category n using (customer_no)
),

final as (
    select
        case when grouping(segment) = 0 then 'segment'
             when grouping(region) = 0 then 'region'
             when grouping(loyalty_member) = 0 then 'loyalty_member'
             else 'all' end as dimension,
        case when grouping(segment) = 0 then segment
             when grouping(region) = 0 then region
             when grouping(loyalty_member) = 0 then loyalty_member end as group_value,
        categories,
        count(*) as customers,
        count(*) filter (where orders >= 2) as repeat_customers,
        sum(orders) as orders,
        sum(revenue) as revenue,
        sum(lines) as lines,
        sum(lines_without_category) as lines_without_category
    from customers
    group by grouping sets ((categories), (segment, categories), (region, categories),
                            (loyalty_member, categories))
)

select * from final order by dimension, group_value nulls last, categories
