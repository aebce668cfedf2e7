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
    select customer_no, revenue, segment, region, loyalty_member
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

customer_category_totals as (
    select customer_no, category, sum(lines) as lines,
           category is not null and round(sum(revenue), 2) > 0 as counted
    from order_lines
    group by customer_no, category
),

customer_breadth as (
    select customer_no,
           count(*) filter (where counted) as categories,
           sum(lines) as lines,
           coalesce(sum(lines) filter (where category is null), 0) as lines_without_category
    from customer_category_totals
    group by customer_no
),

-- the attributes are the customer's (the same on every order), taken from the orders: that group is the
-- smaller one
customer_orders as (
    select customer_no, count(*) as orders, sum(revenue) as revenue, any_value(segment) as segment,
           any_value(region) as region, cast(any_value(loyalty_member) as varchar) as loyalty_member
    from filtered_orders
    group by customer_no
),

final as (
    select
        case when grouping(o.segment) = 0 then 'segment'
             when grouping(o.region) = 0 then 'region'
             when grouping(o.loyalty_member) = 0 then 'loyalty_member'
             else 'all' end as dimension,
        case when grouping(o.segment) = 0 then o.segment
             when grouping(o.region) = 0 then o.region
             when grouping(o.loyalty_member) = 0 then o.loyalty_member end as group_value,
        b.categories,
        count(*) as customers,
        count(*) filter (where o.orders >= 2) as repeat_customers,
        sum(o.orders) as orders,
        sum(o.revenue) as revenue,
        sum(b.lines) as lines,
        sum(b.lines_without_category) as lines_without_category
    from customer_breadth b
    join customer_orders o using (customer_no)
    group by grouping sets ((b.categories), (o.segment, b.categories), (o.region, b.categories),
                            (o.loyalty_member, b.categories))
)

select * from final order by dimension, group_value nulls last, categories
