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

-- The curve needs no rank per customer: the customers of one value level hold the ranks
-- customers_before + 1 .. customers_before + customers, and the cumulative positive value through the
-- j-th of them is value_before + j * the level's positive value.
steps as (
    select *, greatest(1, customers_total // 200) as step
    from level_classes
),

-- the ranks shown: every step-th, the last customer of each class (which includes the last customer)
point_ranks as (
    select value, (customers_before // step + n) * step as value_rank
    from (select *, unnest(range(1, (customers_before + customers) // step - customers_before // step + 1)) as n
          from steps
          where (customers_before + customers) // step > customers_before // step) multiples
    union
    -- classes are consecutive in rank order: a class ends with its lowest value
    select min(value), max(customers_before + customers)
    from steps
    group by abc_class
),

curve as (
    select r.value_rank,
           l.abc_class,
           r.value_rank / l.customers_total as customer_share,
           (l.value_before + (r.value_rank - l.customers_before) * greatest(l.value, 0)) / nullif(l.value_total, 0)
               as value_share
    from point_ranks r
    join level_classes l on l.value = r.value
),

final as (
    select 0 as value_rank, 0.0 as customer_share, 0.0 as value_share, 'A' as abc_class
    where exists (select 1 from level_classes)
    union all
    select value_rank, customer_share, coalesce(value_share, 0), abc_class
    from curve
)

select * from final order by value_rank
