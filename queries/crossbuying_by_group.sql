-- Cross-buying rate split by an order attribute ($dimension: 'channel' or 'store'): each group is
-- evaluated on that group's orders only (as if the sidebar filter were set to it), so a customer who bought
-- in two channels counts in both, with the categories bought there. Per group: category buyers, customers
-- with >= 2 counted categories, cross_buying_rate and mean categories per customer. A category counts when
-- the customer's net revenue in it is > 0. group_value is NULL where the attribute is empty.
-- The split by a customer attribute (segment, region, loyalty membership: each customer in one group) comes
-- from queries/crossbuying_breadth.sql (loyalty/crossbuying.py by_customer_group).
-- Parameters: $dimension, $start, $end (inclusive), $segments, $regions, $channels, $stores.

-- order_lines: the lines of the filtered orders, summed per order and category (derived table
-- order_categories), with the group of the order
with order_lines as (
    select customer_no, category, revenue,
           case $dimension when 'channel' then channel when 'store' then store end as group_value
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

customer_categories as (
    select group_value, customer_no, category
    from order_lines
    where category is not null
    group by group_value, customer_no, category
    having round(sum(revenue), 2) > 0
),

breadth as (
    select group_value, customer_no, count(*) as categories
    from customer_categories
    group by group_value, customer_no
),

final as (
    select
        group_value,
        count(*) as category_buyers,
        count(*) filter (where categories >= 2) as cross_buyers,
        count(*) filter (where categories >= 2) / count(*) as cross_buying_rate,
        avg(categories) as categories_per_customer
    from breadth
    group by group_value
)

select * from final order by cross_buying_rate desc, group_value
