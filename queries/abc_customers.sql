-- The customers active in the period with their ABC class, rank and cumulative value share before them
-- ($by = 'revenue' or 'margin'; bounds $a_bound, $b_bound; definition: docs/metrics.md#abc--pareto).
-- $abc_class = '' lists all customers, 'A', 'B' or 'C' only that class.
-- Parameters: $by, $a_bound, $b_bound, $abc_class and the shared filters.
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

-- >>> abc classification: identical in every abc_*.sql (tests/queries/test_abc_classes.py checks it)
-- grouped by customer_no (one integer per customer_id): cheaper than by the text id; the text
-- columns are only read by the queries that show them
per_customer as (
    select customer_no,
           any_value(customer_id) as customer_id,
           any_value(segment) as segment,
           count(*) as orders,
           sum(revenue) as revenue,
           sum(margin) as margin,
           count(*) filter (where margin is null) as orders_without_margin,
           case when $by = 'margin' then coalesce(sum(margin), 0) else sum(revenue) end as value
    from filtered_orders
    group by customer_no
),

-- Only positive values build the cumulative share; ties (equal value) share the same cumulative
-- value before them, so customers with equal value always fall into the same class. Share and class
-- depend on the value only: they are computed once per distinct value (value level), whose windows
-- sort the distinct values instead of all customers. value_before = the positive value of all
-- customers with a strictly higher value, customers_before = their number.
value_levels as (
    select value,
           count(*) as customers,
           coalesce(sum(sum(greatest(value, 0))) over (order by value desc
                    rows between unbounded preceding and 1 preceding), 0) as value_before,
           cast(coalesce(sum(count(*)) over (order by value desc
                    rows between unbounded preceding and 1 preceding), 0) as bigint) as customers_before,
           sum(sum(greatest(value, 0))) over () as value_total,
           cast(sum(count(*)) over () as bigint) as customers_total
    from per_customer
    group by value
),

level_classes as (
    select *,
           value_before / nullif(value_total, 0) as share_before,
           case when value <= 0 then 'C'
                when value_before / value_total < $a_bound then 'A'
                when value_before / value_total < $b_bound then 'B'
                else 'C' end as abc_class
    from value_levels
),

-- per customer: the class, share before and rank offset of its value level
classified as (
    select c.*, l.value_before, l.value_total, l.customers_before, l.customers_total, l.share_before, l.abc_class
    from per_customer c
    join level_classes l on l.value = c.value
),
-- <<< abc classification

-- Only the listed class is ranked: the rank is the level's rank offset plus the position among the
-- customers with the same value (ties in customer_id order)
final as (
    select customer_id, segment, abc_class,
           customers_before + row_number() over (partition by value order by customer_id) as value_rank,
           revenue, margin, orders, revenue / orders as avg_order_value, share_before
    from classified
    where $abc_class = '' or abc_class = $abc_class
)

select * from final order by value_rank
