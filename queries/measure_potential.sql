-- Uplift potential (Kundenbindungspotenzial): the outcome statistics of queries/measure_group_stats.sql
-- split by segment, region and customer value class, one row per (measure_id, dimension, value,
-- assigned_group, kpi) with n, mean and sample variance. dimension is 'segment', 'region' or
-- 'value_class'. Value class = ABC by revenue in the 12 months before the measure start over all
-- customers: ranked by that revenue, A = customers before whom the cumulative share is below
-- $class_a_share (80 %), B below $class_b_share (95 %), C the rest and customers without positive
-- revenue. Definitions: docs/metrics.md#measures.
-- Parameters: $follow_up_days, $margin_rate, $class_a_share, $class_b_share.
with data_bounds as (
    select max(order_date) as data_end
    from transactions
),

participants as (
    select measure_id, customer_id, assigned_group, min(assigned_date) as assigned_date
    from measure_participants
    group by measure_id, customer_id, assigned_group
),

measure_windows as (
    select p.measure_id, p.customer_id, p.assigned_group,
           coalesce(p.assigned_date, m.start_date) as window_start,
           least(coalesce(m.end_date, b.data_end), b.data_end) as measure_end,
           least(coalesce(m.end_date, b.data_end) + cast($follow_up_days as integer), b.data_end) as window_end
    from participants p
    join measures m on m.measure_id = p.measure_id
    cross join data_bounds b
    where coalesce(p.assigned_date, m.start_date) <= b.data_end
),

participant_outcomes as (
    select w.measure_id, w.customer_id, w.assigned_group, w.window_start, w.measure_end, w.window_end,
           count(o.order_key) as orders,
           coalesce(sum(o.revenue), 0) as revenue,
           coalesce(sum(coalesce(o.margin, o.revenue * $margin_rate)), 0) as margin
    from measure_windows w
    left join orders o
      on o.customer_id = w.customer_id
     and o.order_date between w.window_start and w.window_end
    group by w.measure_id, w.customer_id, w.assigned_group, w.window_start, w.measure_end, w.window_end
),

prior_revenue as (
    select m.measure_id, o.customer_id, sum(o.revenue) as revenue
    from measures m
    join orders o
      on o.order_date >= m.start_date - interval 12 month
     and o.order_date < m.start_date
    group by m.measure_id, o.customer_id
),

revenue_ranked as (
    select measure_id, customer_id,
           coalesce(sum(revenue) over (partition by measure_id order by revenue desc, customer_id
                                       rows between unbounded preceding and 1 preceding), 0)
               / sum(revenue) over (partition by measure_id) as share_before
    from prior_revenue
    where revenue > 0
),

value_classes as (
    select measure_id, customer_id,
           case when share_before < $class_a_share then 'A'
                when share_before < $class_b_share then 'B'
                else 'C' end as value_class
    from revenue_ranked
),

described as (
    select o.*, a.segment, a.region, coalesce(v.value_class, 'C') as value_class
    from participant_outcomes o
    left join customer_attributes a on a.customer_id = o.customer_id
    left join value_classes v on v.measure_id = o.measure_id and v.customer_id = o.customer_id
),

dimension_stats as (
    select measure_id, assigned_group,
           case when grouping(segment) = 0 then 'segment'
                when grouping(region) = 0 then 'region' else 'value_class' end as dimension,
           case when grouping(segment) = 0 then segment
                when grouping(region) = 0 then region else value_class end as value,
           count(*) as n,
           avg(case when orders >= 2 then 1.0 else 0.0 end) as repeat_mean,
           var_samp(case when orders >= 2 then 1.0 else 0.0 end) as repeat_variance,
           avg(orders) as orders_mean, var_samp(orders) as orders_variance,
           avg(revenue) as revenue_mean, var_samp(revenue) as revenue_variance,
           avg(margin) as margin_mean, var_samp(margin) as margin_variance
    from described
    group by grouping sets ((measure_id, assigned_group, segment), (measure_id, assigned_group, region),
                            (measure_id, assigned_group, value_class))
),

final as (
    select measure_id, dimension, value, assigned_group, 'repeat_purchase_rate' as kpi, n, repeat_mean as mean,
           repeat_variance as variance
    from dimension_stats
    union all
    select measure_id, dimension, value, assigned_group, 'orders_per_customer', n, orders_mean, orders_variance
    from dimension_stats
    union all
    select measure_id, dimension, value, assigned_group, 'revenue_per_customer', n, revenue_mean, revenue_variance
    from dimension_stats
    union all
    select measure_id, dimension, value, assigned_group, 'margin_per_customer', n, margin_mean, margin_variance
    from dimension_stats
)

select * from final order by measure_id, dimension, value, kpi, assigned_group
