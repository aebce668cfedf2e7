-- Outcome statistics of every measure per group (treatment / control) over the measure window:
-- one row per (measure_id, assigned_group, kpi) with week null, n (customers), mean and sample variance
-- of the per-customer value and total (its sum over the group). Window per participant: [assigned_date (or
-- start_date), end_date (or the last data day) + $follow_up_days], cut at the last data day. KPIs:
-- repeat_purchase_rate (1 if >= 2 orders in the window, else 0: the mean is the share),
-- orders_per_customer, revenue_per_customer, margin_per_customer (margin, or revenue x $margin_rate
-- where the order has no margin). For the payback also margin_per_customer per week of the window
-- (week 0 = the 7 days from each participant's window start; weeks without orders are missing): one row
-- per (measure_id, assigned_group, week) with total = the group's margin in that week, mean = total / n,
-- variance null. Both come from one pass over the participants' orders in their windows.
-- Definitions: docs/metrics.md#measures.
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

-- the participants with orders in their window ("buyers"; one row per measure, customer and group:
-- the orders' integer customer_no stands for the customer_id they were joined on)
window_orders as (
    select w.measure_id, w.assigned_group, o.customer_no, o.revenue,
           coalesce(o.margin, o.revenue * $margin_rate) as margin,
           cast(floor(date_diff('day', w.window_start, o.order_date) / 7) as integer) as week
    from measure_windows w
    join orders o
      on o.customer_id = w.customer_id
     and o.order_date between w.window_start and w.window_end
),

-- per buyer and per week in one aggregation (the join above is the expensive part, so it runs once)
buyer_and_week_sums as (
    select measure_id, assigned_group, customer_no, week, grouping(customer_no) as per_week,
           count(*) as orders, sum(revenue) as revenue, sum(margin) as margin
    from window_orders
    group by grouping sets ((measure_id, assigned_group, customer_no), (measure_id, assigned_group, week))
),

buyer_outcomes as (
    select measure_id, assigned_group, customer_no, orders, revenue, margin
    from buyer_and_week_sums
    where per_week = 0
),

group_sizes as (
    select measure_id, assigned_group, count(*) as n
    from measure_windows
    group by measure_id, assigned_group
),

buyer_stats as (
    select measure_id, assigned_group, count(*) as m,
           avg(case when orders >= 2 then 1.0 else 0.0 end) as repeat_mean,
           var_pop(case when orders >= 2 then 1.0 else 0.0 end) as repeat_var,
           avg(orders) as orders_mean, var_pop(orders) as orders_var,
           avg(coalesce(revenue, 0)) as revenue_mean, var_pop(coalesce(revenue, 0)) as revenue_var,
           avg(coalesce(margin, 0)) as margin_mean, var_pop(coalesce(margin, 0)) as margin_var,
           count(*) filter (where orders >= 2) as repeat_total, sum(orders) as orders_total,
           sum(revenue) as revenue_total, sum(margin) as margin_total
    from buyer_outcomes
    group by measure_id, assigned_group
),

-- the other participants have 0 in every KPI. Over all n participants: mean = buyers' mean x m / n; sample
-- variance = (M2 of the buyers + mean_b^2 x m x (n - m) / n) / (n - 1) with M2 = var_pop x m (the sum of
-- squared deviations: adding the zeros as a second group of n - m values, mean 0, M2 0)
group_stats as (
    select g.measure_id, g.assigned_group, g.n,
           coalesce(b.repeat_mean * b.m / g.n, 0) as repeat_mean,
           case when g.n > 1 then coalesce(b.repeat_var * b.m
                                           + b.repeat_mean * b.repeat_mean * b.m * (g.n - b.m) / g.n, 0) / (g.n - 1)
           end as repeat_variance,
           coalesce(b.orders_mean * b.m / g.n, 0) as orders_mean,
           case when g.n > 1 then coalesce(b.orders_var * b.m
                                           + b.orders_mean * b.orders_mean * b.m * (g.n - b.m) / g.n, 0) / (g.n - 1)
           end as orders_variance,
           coalesce(b.revenue_mean * b.m / g.n, 0) as revenue_mean,
           case when g.n > 1 then coalesce(b.revenue_var * b.m
                                           + b.revenue_mean * b.revenue_mean * b.m * (g.n - b.m) / g.n, 0) / (g.n - 1)
           end as revenue_variance,
           coalesce(b.margin_mean * b.m / g.n, 0) as margin_mean,
           case when g.n > 1 then coalesce(b.margin_var * b.m
                                           + b.margin_mean * b.margin_mean * b.m * (g.n - b.m) / g.n, 0) / (g.n - 1)
           end as margin_variance,
           coalesce(b.repeat_total, 0) as repeat_total, coalesce(b.orders_total, 0) as orders_total,
           coalesce(b.revenue_total, 0) as revenue_total, coalesce(b.margin_total, 0) as margin_total
    from group_sizes g
    left join buyer_stats b on b.measure_id = g.measure_id and b.assigned_group = g.assigned_group
),

weekly as (
    select w.measure_id, w.assigned_group, 'margin_per_customer' as kpi, w.week, g.n, w.margin / g.n as mean,
           cast(null as double) as variance, w.margin as total
    from buyer_and_week_sums w
    join group_sizes g on g.measure_id = w.measure_id and g.assigned_group = w.assigned_group
    where w.per_week = 1
),

final as (
    select measure_id, assigned_group, 'repeat_purchase_rate' as kpi, cast(null as integer) as week, n,
           repeat_mean as mean, repeat_variance as variance, cast(repeat_total as double) as total
    from group_stats
    union all
    select measure_id, assigned_group, 'orders_per_customer', null, n, orders_mean, orders_variance,
           cast(orders_total as double)
    from group_stats
    union all
    select measure_id, assigned_group, 'revenue_per_customer', null, n, revenue_mean, revenue_variance, revenue_total
    from group_stats
    union all
    select measure_id, assigned_group, 'margin_per_customer', null, n, margin_mean, margin_variance, margin_total
    from group_stats
    union all
    select measure_id, assigned_group, kpi, week, n, mean, variance, total
    from weekly
)

select * from final order by measure_id, kpi, assigned_group, week nulls first
