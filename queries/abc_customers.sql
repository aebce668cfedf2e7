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
per_customer as (
    select customer_id,
           any_value(segment) as segment,
           count(*) as orders,
           sum(revenue) as revenue,
           sum(margin) as margin,
           count(*) filter (where margin is null) as orders_without_margin,
           case when $by = 'margin' then coalesce(sum(margin), 0) else sum(revenue) end as value
    from filtered_orders
    group by customer_id
),

-- Only positive values build the cumulative share; ties (equal value) share the same cumulative
-- value before them, so customers with equal value always fall into the same class.
ranked as (
    select *,
           greatest(value, 0) as positive_value,
           sum(greatest(value, 0)) over (order by value desc range between unbounded preceding and current row)
               - sum(greatest(value, 0)) over (partition by value) as value_before,
           sum(greatest(value, 0)) over () as value_total,
           row_number() over (order by value desc, customer_id) as value_rank,
           count(*) over () as customers_total
    from per_customer
),

classified as (
    select *,
           value_before / nullif(value_total, 0) as share_before,
           case when value <= 0 then 'C'
                when value_before / value_total < $a_bound then 'A'
                when value_before / value_total < $b_bound then 'B'
                else 'C' end as abc_class
    from ranked
),
-- <<< abc classification

final as (
    select customer_id, segment, abc_class, value_rank, revenue, margin, orders,
           revenue / orders as avg_order_value, share_before
    from classified
    where $abc_class = '' or abc_class = $abc_class
)

select * from final order by value_rank
