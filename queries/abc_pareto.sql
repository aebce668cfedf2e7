-- Pareto (Lorenz) curve of the ABC analysis: share of customers (ranked by value, highest first) against
-- the cumulative share of positive value they make. About 200 points plus the last customer of each
-- class, so the curve stays small for millions of customers; starts at (0, 0).
-- Parameters: $by, $a_bound, $b_bound and the shared filters. Definition: docs/metrics.md#abc--pareto.
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

curve as (
    select value_rank,
           customers_total,
           abc_class,
           value_rank / customers_total as customer_share,
           sum(positive_value) over (order by value_rank) / nullif(value_total, 0) as value_share,
           abc_class <> lead(abc_class) over (order by value_rank) as last_of_class
    from classified
),

final as (
    select 0 as value_rank, 0.0 as customer_share, 0.0 as value_share, 'A' as abc_class
    where exists (select 1 from classified)
    union all
    select value_rank, customer_share, coalesce(value_share, 0), abc_class
    from curve
    where value_rank = customers_total
       or last_of_class
       or value_rank % greatest(1, customers_total // 200) = 0
)

select * from final order by value_rank
