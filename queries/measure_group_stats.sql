-- Outcome statistics of every measure per group (treatment / control) over the measure window:
-- one row per (measure_id, assigned_group, kpi) with n (customers), mean and sample variance of
-- the per-customer value. Window per participant: [assigned_date (or start_date),
-- end_date (or the last data day) + $follow_up_days], cut at the last data day. KPIs:
-- repeat_purchase_rate (1 if >= 2 orders in the window, else 0: the mean is the share),
-- orders_per_customer, revenue_per_customer, margin_per_customer (margin, or revenue x $margin_rate
-- where the order has no margin). Definitions: docs/metrics.md#measures.
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

group_stats as (
    select measure_id, assigned_group,
           count(*) as n,
           avg(case when orders >= 2 then 1.0 else 0.0 end) as repeat_mean,
           var_samp(case when orders >= 2 then 1.0 else 0.0 end) as repeat_variance,
           avg(orders) as orders_mean, var_samp(orders) as orders_variance,
           avg(revenue) as revenue_mean, var_samp(revenue) as revenue_variance,
           avg(margin) as margin_mean, var_samp(margin) as margin_variance
    from participant_outcomes
    group by measure_id, assigned_group
),

final as (
    select measure_id, assigned_group, 'repeat_purchase_rate' as kpi, n, repeat_mean as mean,
           repeat_variance as variance
    from group_stats
    union all
    select measure_id, assigned_group, 'orders_per_customer', n, orders_mean, orders_variance from group_stats
    union all
    select measure_id, assigned_group, 'revenue_per_customer', n, revenue_mean, revenue_variance from group_stats
    union all
    select measure_id, assigned_group, 'margin_per_customer', n, margin_mean, margin_variance from group_stats
)

select * from final order by measure_id, kpi, assigned_group
