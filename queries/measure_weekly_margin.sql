-- Margin of every measure's groups by week of the measure window, for the cumulative incremental
-- margin and the payback: one row per (measure_id, assigned_group, week) with margin = the group's
-- margin (margin, or revenue x $margin_rate where the order has no margin) in that week, week 0 =
-- the 7 days from each participant's window start. Weeks without orders are missing (count as 0).
-- Group sizes: queries/measure_group_stats.sql. Definitions: docs/metrics.md#measures.
-- Parameters: $follow_up_days, $margin_rate.
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

weekly as (
    select w.measure_id, w.assigned_group,
           cast(floor(date_diff('day', w.window_start, o.order_date) / 7) as integer) as week,
           sum(coalesce(o.margin, o.revenue * $margin_rate)) as margin
    from measure_windows w
    join orders o
      on o.customer_id = w.customer_id
     and o.order_date between w.window_start and w.window_end
    group by w.measure_id, w.assigned_group, cast(floor(date_diff('day', w.window_start, o.order_date) / 7) as integer)
),

final as (
    select measure_id, assigned_group, week, margin
    from weekly
)

select * from final order by measure_id, assigned_group, week
