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

participants as (
    select measure_id, customer_id, assigned_group, min(assigned_date) as assigned_date
    from measure_participants
    group by measure_id, customer_id, assigned_group
),

uncontrolled as (
    select m.measure_id, m.start_date,
           least(coalesce(m.end_date, b.data_end) + cast($follow_up_days as integer), b.data_end) as window_end
    from measures m
    cross join data_bounds b
    where m.start_date <= b.data_end
      and m.measure_id in (select measure_id from participants where assigned_group = 'treatment')
      and m.measure_id not in (select measure_id from participants where assigned_group = 'control')
),

customer_base as (
    select coalesce(f.customer_id, c.customer_id) as customer_id,
           c.segment,
           least(f.first_order, c.signup_date) as known_since
    from (select customer_id, min(order_date) as first_order from orders group by customer_id) f
    full outer join (select customer_id, any_value(segment) as segment, min(signup_date) as signup_date
                     from customers group by customer_id) c
      on c.customer_id = f.customer_id
),

people as (
    select u.measure_id, p.customer_id, 'participants' as role,
           coalesce(p.assigned_date, u.start_date) as ref_date, u.window_end
    from uncontrolled u
    join participants p on p.measure_id = u.measure_id and p.assigned_group = 'treatment'
    join customer_base cb on cb.customer_id = p.customer_id
    where cb.known_since <= coalesce(p.assigned_date, u.start_date) - 365
    union all
    select u.measure_id, cb.customer_id, 'comparison', u.start_date, u.window_end
    from uncontrolled u
    join customer_base cb on cb.known_since <= u.start_date - 365
    where not exists (select 1 from participants x
                      where x.measure_id = u.measure_id and x.customer_id = cb.customer_id)
),

people_windows as (
    select measure_id, customer_id, role, ref_date, window_end,
           ref_date - cast(date_diff('day', ref_date, window_end) + 1 as integer) as pre_start,
           ref_date - 365 as activity_start
    from people
    where ref_date <= window_end
),

person_outcomes as (
    select pw.measure_id, pw.customer_id, pw.role, cb.segment,
           count(o.order_key) filter (where o.order_date >= pw.activity_start and o.order_date < pw.ref_date)
               as prior_orders,
           count(o.order_key) filter (where o.order_date >= pw.pre_start and o.order_date < pw.ref_date)
               as orders_pre,
           count(o.order_key) filter (where o.order_date >= pw.ref_date) as orders_post,
           coalesce(sum(o.revenue) filter (where o.order_date >= pw.pre_start and o.order_date < pw.ref_date), 0)
               as revenue_pre,
           coalesce(sum(o.revenue) filter (where o.order_date >= pw.ref_date), 0) as revenue_post,
           coalesce(sum(coalesce(o.margin, o.revenue * $margin_rate))
                        filter (where o.order_date >= pw.pre_start and o.order_date < pw.ref_date), 0) as margin_pre,
           coalesce(sum(coalesce(o.margin, o.revenue * $margin_rate)) filter (where o.order_date >= pw.ref_date), 0)
               as margin_post
    from people_windows pw
    left join customer_base cb on cb.customer_id = pw.customer_id
    left join orders o
      on o.customer_id = pw.customer_id
     and o.order_date >= least(pw.activity_start, pw.pre_start)
     and o.order_date <= pw.window_end
    group by pw.measure_id, pw.customer_id, pw.role, cb.segment
),

stratified as (
    select measure_id, customer_id, role, segment,
           case when prior_orders = 0 then '0' when prior_orders = 1 then '1'
                when prior_orders <= 3 then '2-3' else '4+' end as activity,
           orders_pre, orders_post, revenue_pre, revenue_post, margin_pre, margin_post
    from person_outcomes
),

outcomes_long as (
    select measure_id, role, segment, activity, 'repeat_purchase_rate' as kpi,
           case when orders_pre >= 2 then 1.0 else 0.0 end as pre,
           case when orders_post >= 2 then 1.0 else 0.0 end as post
    from stratified
    union all
    select measure_id, role, segment, activity, 'orders_per_customer', cast(orders_pre as double),
           cast(orders_post as double)
    from stratified
    union all
    select measure_id, role, segment, activity, 'revenue_per_customer', revenue_pre, revenue_post from stratified
    union all
    select measure_id, role, segment, activity, 'margin_per_customer', margin_pre, margin_post from stratified
),

by_segment as (
    select measure_id, role, segment, activity, kpi, count(*) as n,
           avg(pre) as mean_pre, avg(post) as mean_post,
           var_samp(pre) as var_pre, var_samp(post) as var_post, covar_samp(pre, post) as cov
    from outcomes_long
    group by measure_id, role, segment, activity, kpi
),

by_activity as (
    select measure_id, activity, kpi, count(*) as n,
           avg(pre) as mean_pre, avg(post) as mean_post,
           var_samp(pre) as var_pre, var_samp(post) as var_post, covar_samp(pre, post) as cov
    from outcomes_long
    where role = 'comparison'
    group by measure_id, activity, kpi
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
