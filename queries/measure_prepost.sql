-- Pre/post comparison for measures without a control group (weaker evidence than a control group):
-- participants (treatment) against matched non-participants. Reference day: the participant's
-- assigned_date (or start_date); for non-participants the measure start. Post = reference day ..
-- window end (measure end or last data day + $follow_up_days, cut at the last data day); pre = the
-- same number of days just before the reference day. Strata: segment x prior activity (orders in the
-- 365 days before the reference day: 0, 1, 2-3, 4+). Only customers known (first order or signup) at
-- least 365 days before their reference day take part, so prior activity covers a full year.
-- Non-participants: such customers not listed for the measure. A stratum is matched on segment and
-- activity when it has >= $min_matches non-participants, else on activity alone (match_level; null =
-- no match). One row per (measure_id, segment, activity, kpi) with participants' (p_) and comparison
-- customers' (c_) n, means before and after, sample variances and covariance of (before, after); the
-- effect estimate and its interval are computed in loyalty/uplift.py (stratified_did). Definitions: docs/metrics.md#measures.
-- Parameters: $follow_up_days, $margin_rate, $min_matches.
with data_bounds as (
    select max(order_date) as data_end
    from transactions
),

-- which measures have treatment and which control participants
measure_groups as (
    select measure_id,
           count(*) filter (where assigned_group = 'treatment') as treatment_rows,
           count(*) filter (where assigned_group = 'control') as control_rows
    from measure_participants
    group by measure_id
),

-- measures without a control group (a measure listed twice with the same dates counts once); measure_no
-- stands for measure_id where millions of orders are grouped by it (an integer groups faster)
uncontrolled as (
    select m.measure_id, dense_rank() over (order by m.measure_id) as measure_no, m.start_date,
           least(coalesce(m.end_date, b.data_end) + cast($follow_up_days as integer), b.data_end) as window_end
    from (select distinct measure_id, start_date, end_date from measures) m
    join measure_groups g on g.measure_id = m.measure_id
    cross join data_bounds b
    where m.start_date <= b.data_end
      and g.treatment_rows > 0
      and g.control_rows = 0
),

-- the customers listed for those measures; participants = listed in treatment (earliest assigned date)
listed as (
    select measure_id, customer_id,
           count(*) filter (where assigned_group = 'treatment') > 0 as treated,
           min(assigned_date) filter (where assigned_group = 'treatment') as assigned_date
    from measure_participants
    where measure_id in (select measure_id from uncontrolled)
    group by measure_id, customer_id
),

-- the earliest day a measure's outcomes and prior activity look at: the pre-period and the 365 days before
-- the reference day start later for a later reference day, so the earliest one (the start or an earlier
-- assigned date) gives it; orders before it only tell the first order ("known since")
measure_ranges as (
    select measure_id, start_date, window_end,
           least(min_ref - 365, min_ref - cast(date_diff('day', min_ref, window_end) + 1 as integer)) as first_day
    from (select u.measure_id, u.start_date, u.window_end, least(u.start_date, a.first_assigned) as min_ref
          from uncontrolled u
          left join (select measure_id, min(assigned_date) as first_assigned
                     from listed
                     group by measure_id) a on a.measure_id = u.measure_id) r
),

-- every order from the earliest such day up to the window end, per measure, with its customer's reference
-- day (participants: assigned date or start; everybody else: the measure start)
order_rows as (
    select u.measure_no, u.window_end, o.customer_id, o.order_date, o.revenue, o.margin,
           case when l.treated then coalesce(l.assigned_date, u.start_date) else u.start_date end as ref_date
    from uncontrolled u
    cross join orders o
    left join listed l on l.measure_id = u.measure_id and l.customer_id = o.customer_id
    where o.order_date >= (select min(first_day) from measure_ranges)
      and o.order_date <= (select max(window_end) from measure_ranges)
),

order_windows as (
    select measure_no, customer_id, order_date, revenue, coalesce(margin, revenue * $margin_rate) as margin,
           ref_date, window_end,
           ref_date - cast(date_diff('day', ref_date, window_end) + 1 as integer) as pre_start,
           ref_date - 365 as activity_start
    from order_rows
),

-- outcomes, prior activity and the first order since that day
range_outcomes as (
    select measure_no, customer_id,
           min(order_date) as first_order,
           count(*) filter (where order_date >= activity_start and order_date < ref_date) as prior_orders,
           count(*) filter (where order_date >= pre_start and order_date < ref_date) as orders_pre,
           count(*) filter (where order_date >= ref_date and order_date <= window_end) as orders_post,
           sum(revenue) filter (where order_date >= pre_start and order_date < ref_date) as revenue_pre,
           sum(revenue) filter (where order_date >= ref_date and order_date <= window_end) as revenue_post,
           sum(margin) filter (where order_date >= pre_start and order_date < ref_date) as margin_pre,
           sum(margin) filter (where order_date >= ref_date and order_date <= window_end) as margin_post
    from order_windows
    group by measure_no, customer_id
),

measure_orders as (
    select m.measure_id, f.customer_id, f.first_order, f.prior_orders, f.orders_pre, f.orders_post,
           f.revenue_pre, f.revenue_post, f.margin_pre, f.margin_post
    from range_outcomes f
    join (select distinct measure_id, measure_no from uncontrolled) m on m.measure_no = f.measure_no
),

-- one row per customer in customers (segment, first signup) or with an order before the earliest day: such
-- an order is before every reference day - 365, so its date only counts as "known since" (like a signup)
customers_once as (
    select customer_id, any_value(segment) as segment, min(known_date) as known_since,
           bool_or(in_customers) as in_customers
    from (select customer_id, segment, signup_date as known_date, true as in_customers
          from customers
          union all
          select customer_id, null, min(order_date), false
          from orders
          where order_date < (select min(first_day) from measure_ranges)
          group by customer_id)
    group by customer_id
),

-- every customer (with an order or in customers) per measure: segment, known since and outcomes
customer_base as (
    select coalesce(f.measure_id, c.measure_id) as measure_id,
           coalesce(f.customer_id, c.customer_id) as customer_id,
           c.segment,
           least(f.first_order, c.known_since) as known_since,
           f.prior_orders, f.orders_pre, f.orders_post, f.revenue_pre, f.revenue_post, f.margin_pre, f.margin_post
    from measure_orders f
    full outer join (select u.measure_id, s.customer_id, s.segment, s.known_since
                     from (select measure_id,
                                  row_number() over (partition by measure_id order by start_date, window_end) as nth
                           from uncontrolled) u
                     cross join customers_once s
                     -- a customer missing from customers: one row per measure, like an order customer of measure_orders
                     where s.in_customers or u.nth = 1) c
      on c.measure_id = f.measure_id and c.customer_id = f.customer_id
),

people as (
    select cb.measure_id, cb.segment, cb.known_since, u.window_end,
           case when l.treated then 'participants' else 'comparison' end as role,
           case when l.treated then coalesce(l.assigned_date, u.start_date) else u.start_date end as ref_date,
           coalesce(cb.prior_orders, 0) as prior_orders,
           coalesce(cb.orders_pre, 0) as orders_pre, coalesce(cb.orders_post, 0) as orders_post,
           coalesce(cb.revenue_pre, 0) as revenue_pre, coalesce(cb.revenue_post, 0) as revenue_post,
           coalesce(cb.margin_pre, 0) as margin_pre, coalesce(cb.margin_post, 0) as margin_post
    from customer_base cb
    join uncontrolled u on u.measure_id = cb.measure_id
    left join listed l on l.measure_id = cb.measure_id and l.customer_id = cb.customer_id
    -- non-participants listed for the measure (another group) are no comparison customers
    where l.customer_id is null or l.treated
),

person_outcomes as (
    select *
    from people
    where known_since <= ref_date - 365
      and ref_date <= window_end
),

stratified as (
    select measure_id, role, segment,
           case when prior_orders = 0 then '0' when prior_orders = 1 then '1'
                when prior_orders <= 3 then '2-3' else '4+' end as activity,
           case when orders_pre >= 2 then 1.0 else 0.0 end as repeat_pre,
           case when orders_post >= 2 then 1.0 else 0.0 end as repeat_post,
           cast(orders_pre as double) as orders_pre, cast(orders_post as double) as orders_post,
           revenue_pre, revenue_post, margin_pre, margin_post
    from person_outcomes
),

-- per stratum (segment x activity) and per activity alone across segments (across_segments = 1; used for
-- the comparison customers): n, means, sample variances and covariance of every KPI in one pass
stratum_stats as (
    select measure_id, role, segment, activity, grouping(segment) as across_segments, count(*) as n,
           avg(repeat_pre) as repeat_mean_pre, avg(repeat_post) as repeat_mean_post,
           var_samp(repeat_pre) as repeat_var_pre, var_samp(repeat_post) as repeat_var_post,
           covar_samp(repeat_pre, repeat_post) as repeat_cov,
           avg(orders_pre) as orders_mean_pre, avg(orders_post) as orders_mean_post,
           var_samp(orders_pre) as orders_var_pre, var_samp(orders_post) as orders_var_post,
           covar_samp(orders_pre, orders_post) as orders_cov,
           avg(revenue_pre) as revenue_mean_pre, avg(revenue_post) as revenue_mean_post,
           var_samp(revenue_pre) as revenue_var_pre, var_samp(revenue_post) as revenue_var_post,
           covar_samp(revenue_pre, revenue_post) as revenue_cov,
           avg(margin_pre) as margin_mean_pre, avg(margin_post) as margin_mean_post,
           var_samp(margin_pre) as margin_var_pre, var_samp(margin_post) as margin_var_post,
           covar_samp(margin_pre, margin_post) as margin_cov
    from stratified
    group by grouping sets ((measure_id, role, segment, activity), (measure_id, role, activity))
),

stats_long as (
    select measure_id, role, segment, activity, across_segments, 'repeat_purchase_rate' as kpi, n,
           repeat_mean_pre as mean_pre, repeat_mean_post as mean_post, repeat_var_pre as var_pre,
           repeat_var_post as var_post, repeat_cov as cov
    from stratum_stats
    union all
    select measure_id, role, segment, activity, across_segments, 'orders_per_customer', n, orders_mean_pre,
           orders_mean_post, orders_var_pre, orders_var_post, orders_cov
    from stratum_stats
    union all
    select measure_id, role, segment, activity, across_segments, 'revenue_per_customer', n, revenue_mean_pre,
           revenue_mean_post, revenue_var_pre, revenue_var_post, revenue_cov
    from stratum_stats
    union all
    select measure_id, role, segment, activity, across_segments, 'margin_per_customer', n, margin_mean_pre,
           margin_mean_post, margin_var_pre, margin_var_post, margin_cov
    from stratum_stats
),

by_segment as (
    select * from stats_long where across_segments = 0
),

by_activity as (
    select * from stats_long where across_segments = 1 and role = 'comparison'
),

matched as (
    select p.*,
           case when cs.n >= $min_matches then 'segment_and_activity'
                when ca.n >= $min_matches then 'activity' end as match_level,
           cs.n as cs_n, cs.mean_pre as cs_mean_pre, cs.mean_post as cs_mean_post,
           cs.var_pre as cs_var_pre, cs.var_post as cs_var_post, cs.cov as cs_cov,
           ca.n as ca_n, ca.mean_pre as ca_mean_pre, ca.mean_post as ca_mean_post,
           ca.var_pre as ca_var_pre, ca.var_post as ca_var_post, ca.cov as ca_cov
    from by_segment p
    left join by_segment cs
      on cs.measure_id = p.measure_id and cs.role = 'comparison' and cs.segment is not distinct from p.segment
     and cs.activity = p.activity and cs.kpi = p.kpi
    left join by_activity ca
      on ca.measure_id = p.measure_id and ca.activity = p.activity and ca.kpi = p.kpi
    where p.role = 'participants'
),

final as (
    select measure_id, segment, activity, kpi, match_level,
           n as p_n, mean_pre as p_mean_pre, mean_post as p_mean_post,
           var_pre as p_var_pre, var_post as p_var_post, cov as p_cov,
           case match_level when 'segment_and_activity' then cs_n when 'activity' then ca_n else 0 end as c_n,
           case match_level when 'segment_and_activity' then cs_mean_pre else ca_mean_pre end as c_mean_pre,
           case match_level when 'segment_and_activity' then cs_mean_post else ca_mean_post end as c_mean_post,
           case match_level when 'segment_and_activity' then cs_var_pre else ca_var_pre end as c_var_pre,
           case match_level when 'segment_and_activity' then cs_var_post else ca_var_post end as c_var_post,
           case match_level when 'segment_and_activity' then cs_cov else ca_cov end as c_cov
    from matched
)

select * from final order by measure_id, kpi, segment, activity
