-- ABC classes of the customers active in the period: customers ranked by value ($by = 'revenue' or
-- 'margin'); A = cumulative value share *before* the customer < $a_bound, B < $b_bound, C the rest;
-- customers with zero or negative value are C. Per class (all customers: by_segment = false) and per
-- class and customer segment (by_segment = true): customers, revenue, margin, orders, shares, average
-- order value and repeat rate. Definition: docs/metrics.md#abc--pareto.
-- Parameters: $by, $a_bound, $b_bound (fractions, e.g. 0.8, 0.95) and the shared filters.
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

class_names as (
    select unnest(['A', 'B', 'C']) as abc_class
),

grouped as (
    select abc_class,
           segment,
           grouping(segment) = 0 as by_segment,
           count(*) as customers,
           sum(revenue) as revenue,
           sum(margin) as margin,
           sum(value) as value,
           cast(sum(orders) as bigint) as orders,
           count(*) filter (where orders >= 2) as repeat_customers,
           sum(orders_without_margin) as orders_without_margin
    from classified
    group by grouping sets ((abc_class), (abc_class, segment))
),

overall as (
    select n.abc_class,
           cast(null as varchar) as segment,
           false as by_segment,
           coalesce(g.customers, 0) as customers,
           coalesce(g.revenue, 0) as revenue,
           g.margin,
           coalesce(g.value, 0) as value,
           coalesce(g.orders, 0) as orders,
           coalesce(g.repeat_customers, 0) as repeat_customers,
           coalesce(g.orders_without_margin, 0) as orders_without_margin
    from class_names n
    left join grouped g on g.abc_class = n.abc_class and not g.by_segment
),

segments as (
    select abc_class, segment, by_segment, customers, revenue, margin, value, orders, repeat_customers,
           orders_without_margin
    from grouped
    where by_segment
),

final as (
    select c.*,
           c.customers / nullif(sum(c.customers) over w, 0) as customer_share,
           c.revenue / nullif(sum(c.revenue) over w, 0) as revenue_share,
           c.margin / nullif(sum(c.margin) over w, 0) as margin_share,
           c.value / nullif(sum(c.value) over w, 0) as value_share,
           c.revenue / nullif(c.orders, 0) as avg_order_value,
           c.repeat_customers / nullif(c.customers, 0) as repeat_rate
    from (select * from overall union all select * from segments) c
    window w as (partition by c.by_segment, c.segment)
)

select * from final order by by_segment, segment nulls first, abc_class
