-- Cohort retention. Cohort = the calendar $grain ('month', 'quarter' or 'week' = ISO week) of a
-- customer's first order ever (in all data, all channels). The period filter picks the cohorts: only
-- customers whose first order falls in [$start, $end] are members, so a cohort cut by $start or $end
-- holds only the customers whose first order lies inside the period. Segment/region filter the
-- customers; channel/store filters select by the channel/store of the first order; all later orders of
-- the members count, whatever their channel.
-- Period k = the number of $grain buckets between the cohort and an order's bucket (k = 0: the first
-- order's bucket). Orders after $end are ignored, and a cell (cohort, k >= 1) is only returned when
-- bucket k has ended on or before $end, so young cohorts have no row (an empty cell, not 0).
-- customers: k = 0 is the whole cohort (100 %); for k >= 1 the members with >= $min_orders orders in
-- bucket k ($retention = 'bracketed') or in buckets k and later up to $end ($retention = 'unbounded').
-- share = customers / cohort_customers (unrounded). revenue: the members' revenue in bucket k;
-- revenue_share = revenue in k / revenue in k = 0 (always bracketed).
-- Parameters: $grain, $retention, $min_orders, $start, $end, $segments, $regions, $channels, $stores.
with first_orders as (
    -- each customer's first order ever (up to $end): date, channel and store (ties on one day: the lower
    -- order key)
    select
        customer_id,
        any_value(segment) as segment,
        any_value(region) as region,
        min(order_date) as first_order_date,
        arg_min_null(channel, (order_date, order_key)) as first_channel,
        arg_min_null(store, (order_date, order_key)) as first_store
    from orders
    where order_date <= $end
    group by customer_id
),

cohort_members as (
    select customer_id, cast(date_trunc($grain, first_order_date) as date) as cohort
    from first_orders
    where first_order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, first_channel))
      and (len($stores) = 0 or list_contains($stores, first_store))
),

member_periods as (
    -- orders and revenue per member and period k
    select
        m.cohort,
        m.customer_id,
        date_diff($grain, m.cohort, cast(date_trunc($grain, o.order_date) as date)) as period,
        count(*) as orders,
        sum(o.revenue) as revenue
    from cohort_members m
    join orders o using (customer_id)
    where o.order_date between $start and $end  -- members' orders all lie in the period
    group by all
),

last_retained_period as (
    -- per member: the last k at which they count as retained. Bracketed: the periods with enough orders
    -- are listed individually below; unbounded: retained at every k up to the last period from which on
    -- they still placed >= $min_orders orders.
    select cohort, customer_id, max(period) as period
    from (
        select cohort, customer_id, period,
               sum(orders) over (partition by customer_id order by period desc) as orders_from_period
        from member_periods
    )
    where orders_from_period >= $min_orders
    group by all
),

retained as (
    select cohort, period, count(*) as customers
    from member_periods
    where $retention = 'bracketed' and orders >= $min_orders
    group by all
),

cohort_sizes as (
    select cohort, count(*) as cohort_customers
    from cohort_members
    group by cohort
),

observed_cells as (
    -- k = 0 always; k >= 1 while bucket k ended on or before $end
    select
        cohort,
        cohort_customers,
        unnest(range(0, greatest(
            date_diff($grain, cohort, cast(date_trunc($grain, cast($end as date) + 1) as date)), 1
        ))) as period
    from cohort_sizes
),

unbounded_counts as (
    select c.cohort, c.period, count(l.customer_id) as customers
    from observed_cells c
    join last_retained_period l on l.cohort = c.cohort and l.period >= c.period
    where $retention = 'unbounded'
    group by all
),

period_revenue as (
    select cohort, period, sum(revenue) as revenue
    from member_periods
    group by all
),

final as (
    select
        c.cohort,
        case $grain
            when 'quarter' then strftime(c.cohort, '%Y') || '-Q' || quarter(c.cohort)
            when 'week' then strftime(c.cohort, '%G-W%V')
            else strftime(c.cohort, '%Y-%m')
        end as cohort_label,
        c.period,
        c.cohort_customers,
        case when c.period = 0 then c.cohort_customers
             else coalesce(r.customers, u.customers, 0) end as customers,
        case when c.period = 0 then 1.0
             else coalesce(r.customers, u.customers, 0) / c.cohort_customers end as share,
        coalesce(p.revenue, 0) as revenue,
        coalesce(p.revenue, 0) / nullif(p0.revenue, 0) as revenue_share
    from observed_cells c
    left join retained r on r.cohort = c.cohort and r.period = c.period
    left join unbounded_counts u on u.cohort = c.cohort and u.period = c.period
    left join period_revenue p on p.cohort = c.cohort and p.period = c.period
    left join period_revenue p0 on p0.cohort = c.cohort and p0.period = 0
)

select * from final order by cohort, period
