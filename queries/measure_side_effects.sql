-- Side effects of every measure, per segment (and for all participants: segment null, is_total = 1)
-- and group: one row per (measure_id, segment, assigned_group, effect) with n (customers it applies
-- to) and events. Effects: 'complaints' = customers with >= 1 contact of type complaint in the
-- measure window; 'opt_out' = customers whose newsletter_opt_in is false (customers with unknown
-- opt-in are not counted in n); 'churn' = customers with >= 1 order in the 365 days before their
-- window start and no order after the measure end (measure end + 1 .. window end: the follow-up),
-- only when that follow-up lies within the data. Definitions: docs/metrics.md#measures.
-- Parameters: $follow_up_days (the page also passes $margin_rate, which no side effect uses).
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

-- one row per participant and window (a measure listed twice in measures with the same dates counts once)
participant_windows as (
    select distinct measure_id, customer_id, assigned_group, window_start, measure_end, window_end
    from measure_windows
),

complaint_customers as (
    select w.measure_id, w.customer_id, w.assigned_group
    from measure_windows w
    join contacts c
      on c.customer_id = w.customer_id
     and c.contact_date between w.window_start and w.window_end
     and lower(trim(c.type)) = 'complaint'
    group by w.measure_id, w.customer_id, w.assigned_group
),

-- only needed where the window has a follow-up (churn counts nobody else)
previously_active as (
    select w.measure_id, w.customer_id, w.assigned_group
    from measure_windows w
    join orders o
      on o.customer_id = w.customer_id
     and o.order_date >= w.window_start - 365
     and o.order_date < w.window_start
    where w.window_end > w.measure_end
    group by w.measure_id, w.customer_id, w.assigned_group
),

active_after as (
    select w.measure_id, w.customer_id, w.assigned_group
    from measure_windows w
    join orders o
      on o.customer_id = w.customer_id
     and o.order_date > w.measure_end
     and o.order_date <= w.window_end
    group by w.measure_id, w.customer_id, w.assigned_group
),

flags as (
    select w.measure_id, w.assigned_group, a.segment,
           cp.customer_id is not null as complained,
           c.newsletter_opt_in,
           pa.customer_id is not null as was_active,
           w.window_end > w.measure_end as has_follow_up,
           aa.customer_id is not null as active_after
    from participant_windows w
    left join customer_attributes a on a.customer_id = w.customer_id
    left join (select customer_id, bool_and(newsletter_opt_in) as newsletter_opt_in
               from customers group by customer_id) c on c.customer_id = w.customer_id
    left join complaint_customers cp
      on cp.measure_id = w.measure_id and cp.customer_id = w.customer_id and cp.assigned_group = w.assigned_group
    left join previously_active pa
      on pa.measure_id = w.measure_id and pa.customer_id = w.customer_id and pa.assigned_group = w.assigned_group
    left join active_after aa
      on aa.measure_id = w.measure_id and aa.customer_id = w.customer_id and aa.assigned_group = w.assigned_group
),

effect_counts as (
    select measure_id, segment, grouping(segment) as is_total, assigned_group,
           count(*) as complaints_n,
           count(*) filter (where complained) as complaints_events,
           count(newsletter_opt_in) as opt_out_n,
           count(*) filter (where newsletter_opt_in = false) as opt_out_events,
           count(*) filter (where was_active and has_follow_up) as churn_n,
           count(*) filter (where was_active and has_follow_up and not active_after) as churn_events
    from flags
    group by grouping sets ((measure_id, assigned_group, segment), (measure_id, assigned_group))
),

final as (
    select measure_id, segment, is_total, assigned_group, 'complaints' as effect, complaints_n as n,
           complaints_events as events
    from effect_counts
    union all
    select measure_id, segment, is_total, assigned_group, 'opt_out', opt_out_n, opt_out_events from effect_counts
    union all
    select measure_id, segment, is_total, assigned_group, 'churn', churn_n, churn_events from effect_counts
)

select * from final order by measure_id, is_total desc, segment, effect, assigned_group
