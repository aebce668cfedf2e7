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
with customers_before as (
    -- customers with an order before $start (customer_no: the integer customer key): their first order
    -- ever lies before the period, so they are in no cohort
    select customer_no
    from orders
    where order_date < $start
    group by customer_no
),

member_buckets as (
    -- orders and revenue per $grain bucket of every other customer with an order in the period (their orders
    -- up to $end all lie in the period, the first one is their first order ever), and the channel and store
    -- of the bucket's first order (ties on one day: the lower order key)
    select
        o.customer_no,
        cast(date_trunc($grain, o.order_date) as date) as bucket,
        count(*) as orders,
        sum(o.revenue) as revenue,
        any_value(o.segment) as segment,
        any_value(o.region) as region,
        arg_min_null(o.channel, (o.order_date, o.order_key)) as first_channel,
        arg_min_null(o.store, (o.order_date, o.order_key)) as first_store
    from orders o
    left join customers_before b on b.customer_no = o.customer_no
    where o.order_date between $start and $end
      and b.customer_no is null
    group by o.customer_no, cast(date_trunc($grain, o.order_date) as date)
),

first_orders as (
    -- cohort = the bucket of the first order; its channel and store
    select
        customer_no,
        any_value(segment) as segment,
        any_value(region) as region,
        min(bucket) as cohort,
        arg_min_null(first_channel, bucket) as first_channel,
        arg_min_null(first_store, bucket) as first_store
    from member_buckets
    group by customer_no
),

cohort_members as (
    select customer_no, cohort
    from first_orders
    where (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, first_channel))
      and (len($stores) = 0 or list_contains($stores, first_store))
),

member_periods as (
    -- orders and revenue per member and period k
    select
        m.cohort,
        m.customer_no,
        date_diff($grain, m.cohort, b.bucket) as period,
        b.orders,
        b.revenue
    from cohort_members m
    join member_buckets b on b.customer_no = m.customer_no
),

last_retained_period as (
    -- per member: the last k at which they count as retained. Bracketed: the periods with enough orders
    -- are listed individually below; unbounded: retained at every k up to the last period from which on
    -- they still placed >= $min_orders orders (for one order: their last period with an order).
    select cohort, customer_no, max(period) as period
    from (
        select cohort, customer_no, period,
               sum(orders) over (partition by customer_no order by period desc) as orders_from_period
        from member_periods
        where $min_orders > 1
    ) as w
    where orders_from_period >= $min_orders
    group by all
    union all
    select cohort, customer_no, max(period) as period
    from member_periods
    where $min_orders <= 1
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

retained_until as (
    -- members per cohort and last retained period
    select cohort, period, count(*) as customers
    from last_retained_period
    group by cohort, period
),

unbounded_counts as (
    -- retained at k: the members whose last retained period is k or later
    select c.cohort, c.period, cast(sum(r.customers) as bigint) as customers
    from observed_cells c
    join retained_until r on r.cohort = c.cohort and r.period >= c.period
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
