-- Uplift potential (Kundenbindungspotenzial): the outcome statistics of queries/measure_group_stats.sql
-- split by segment, region and customer value class, one row per (measure_id, dimension, value,
-- assigned_group, kpi) with n, mean and sample variance. dimension is 'segment', 'region' or
-- 'value_class'. Value class = ABC by revenue in the 12 months before the measure start over all
-- customers: ranked by that revenue, A = customers before whom the cumulative share is below
-- $class_a_share (80 %), B below $class_b_share (95 %), C the rest and customers without positive
-- revenue. Definitions: docs/metrics.md#measures.
-- Parameters: $follow_up_days, $margin_rate, $class_a_share, $class_b_share; $measure_id: one measure (the
-- page shows one at a time; each measure's rows are the same as with null = all measures).
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

-- one row per participant (the participants CTE has one per measure, customer and group); an order of the
-- window has its customer_id, so count(o.customer_id) counts the orders
participant_outcomes as (
    select w.measure_id, w.customer_id, w.assigned_group,
           count(o.customer_id) as orders,
           coalesce(sum(o.revenue), 0) as revenue,
           coalesce(sum(coalesce(o.margin, o.revenue * $margin_rate)), 0) as margin
    from measure_windows w
    left join orders o
      on o.customer_id = w.customer_id
     and o.order_date between w.window_start and w.window_end
    where cast($measure_id as varchar) is null or w.measure_id = $measure_id
    group by w.measure_id, w.customer_id, w.assigned_group
),

-- the measures evaluated; measure_no stands for measure_id where millions of orders are grouped by it (an
-- integer groups faster); prior_revenue numbers them the same way
measure_nos as (
    select distinct measure_id, dense_rank() over (order by measure_id) as measure_no
    from measures
    where cast($measure_id as varchar) is null or measure_id = $measure_id
),

-- the date_diff conditions join the orders to the few measures in a nested loop instead of sorting them
prior_revenue as (
    select m.measure_no, o.customer_id, sum(o.revenue) as revenue
    from (select dense_rank() over (order by measure_id) as measure_no, start_date,
                 cast(start_date - interval 12 month as date) as prior_start
          from measures
          where cast($measure_id as varchar) is null or measure_id = $measure_id) m
    join orders o
      on date_diff('day', m.prior_start, o.order_date) >= 0
     and date_diff('day', o.order_date, m.start_date) > 0
    group by m.measure_no, o.customer_id
),

-- The ranking (revenue desc, customer_id) without sorting every customer: customers with the same
-- revenue are neighbours in it, so the revenue before a customer = the revenue of all higher revenue
-- levels + revenue x the customers of its own level with a smaller customer_id.
revenue_levels as (
    select measure_no, revenue, count(*) as customers, sum(revenue) as level_revenue
    from prior_revenue
    where revenue > 0
    group by measure_no, revenue
),

level_shares as (
    select measure_no, revenue, customers,
           coalesce(sum(level_revenue) over (partition by measure_no order by revenue desc
                                             rows between unbounded preceding and 1 preceding), 0) as revenue_before,
           sum(level_revenue) over (partition by measure_no) as total
    from revenue_levels
),

-- a customer's place within its level matters only where a class bound falls inside the level
split_levels as (
    select measure_no, revenue
    from level_shares
    where case when revenue_before / total < $class_a_share then 'A'
               when revenue_before / total < $class_b_share then 'B' else 'C' end
       <> case when (revenue_before + (customers - 1) * revenue) / total < $class_a_share then 'A'
               when (revenue_before + (customers - 1) * revenue) / total < $class_b_share then 'B' else 'C' end
),

level_positions as (
    select p.measure_no, p.customer_id,
           row_number() over (partition by p.measure_no, p.revenue order by p.customer_id) - 1 as position
    from prior_revenue p
    join split_levels s on s.measure_no = p.measure_no and s.revenue = p.revenue
),

-- value class of the participants: A, B or C by the share before them; C without positive revenue
described as (
    select o.*, a.segment, a.region,
           case when l.measure_no is null then 'C'
                when (l.revenue_before + coalesce(x.position, 0) * l.revenue) / l.total < $class_a_share then 'A'
                when (l.revenue_before + coalesce(x.position, 0) * l.revenue) / l.total < $class_b_share then 'B'
                else 'C' end as value_class
    from participant_outcomes o
    join measure_nos n on n.measure_id = o.measure_id
    left join customer_attributes a on a.customer_id = o.customer_id
    left join prior_revenue p on p.measure_no = n.measure_no and p.customer_id = o.customer_id
    left join level_shares l on l.measure_no = p.measure_no and l.revenue = p.revenue
    left join level_positions x on x.measure_no = n.measure_no and x.customer_id = o.customer_id
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
