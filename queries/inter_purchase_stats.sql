-- Inter-purchase time and the step from first to second order, in total and per customer segment.
-- Gaps: days between consecutive orders of a customer whose later order falls in [$start, $end] (earlier
-- order may be before $start; only orders matching the dimension filters): count, median, quartiles,
-- 90th percentile (linear interpolation, as quantile_cont: at position (n - 1) * q of the sorted gaps) and
-- mean.
-- First to second order: new customers = customers whose first order ever (all data, all channels) falls
-- in [$start, $end]; the channel/store filters select by the channel/store of that first order. Of them:
-- how many placed a second order by $end, that share, and the median days from first to second order.
-- One row per segment (is_total = false; segment NULL = customers without segment) plus one total row
-- (is_total = true).
-- Parameters: $start, $end, $segments, $regions, $channels, $stores.
with before_period as (
    -- every customer with an order before $start (all channels: such a customer is not new) and their last
    -- order before $start that matches the filters (NULL if none): the start of their first gap in the period
    select
        customer_no,
        max(order_date) filter (
            where (len($segments) = 0 or list_contains($segments, segment))
              and (len($regions) = 0 or list_contains($regions, region))
              and (len($channels) = 0 or list_contains($channels, channel))
              and (len($stores) = 0 or list_contains($stores, store))
        ) as previous_order_date
    from orders
    where order_date < $start
    group by customer_no
),

period_orders as (
    -- the shared filters
    select customer_no, order_date, segment
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

lagged as (
    -- the previous order of each order in the period (orders on one day are consecutive in any order: the
    -- gaps are the same as when ordered by order key); customer_no is the integer customer key
    select
        segment,
        customer_no,
        order_date,
        lag(order_date) over (partition by customer_no order by order_date) as previous_order_date
    from period_orders
),

gaps as (
    select segment, date_diff('day', previous_order_date, order_date) as gap_days
    from lagged
    where previous_order_date is not null
    union all
    -- a customer's first order in the period: the gap from their last order before it
    select l.segment, date_diff('day', p.previous_order_date, l.order_date)
    from lagged l
    join before_period p on p.customer_no = l.customer_no
    where l.previous_order_date is null
),

gap_histogram as (
    -- gaps per (segment, days) and per days over all segments: the percentiles are read from the counts
    select
        grouping(segment) = 1 as is_total,
        segment,
        gap_days,
        count(*) as gaps
    from gaps
    where gap_days is not null
    group by grouping sets ((segment, gap_days), (gap_days))
),

gap_positions as (
    -- last_position: the last 0-based position that a value holds in its group's sorted gaps
    select
        is_total,
        segment,
        gap_days,
        gaps,
        sum(gaps) over (partition by is_total, segment order by gap_days) - 1 as last_position,
        sum(gaps) over (partition by is_total, segment) as group_gaps
    from gap_histogram
),

percentile_points as (
    -- linear interpolation at position h = (n - 1) * q between the values at floor(h) and floor(h) + 1 (the
    -- smallest values whose last position reaches them)
    select
        *,
        cast(group_gaps - 1 as double) * 0.5 as h50,
        cast(group_gaps - 1 as double) * 0.25 as h25,
        cast(group_gaps - 1 as double) * 0.75 as h75,
        cast(group_gaps - 1 as double) * 0.9 as h90
    from gap_positions
),

gap_bounds as (
    select
        is_total,
        segment,
        cast(sum(gaps) as bigint) as gaps,
        sum(gap_days * gaps) / sum(gaps) as mean_gap_days,
        min(h50) as h50, min(h25) as h25, min(h75) as h75, min(h90) as h90,
        min(gap_days) filter (where last_position >= floor(h50)) as lo50,
        min(gap_days) filter (where last_position >= floor(h50) + 1) as hi50,
        min(gap_days) filter (where last_position >= floor(h25)) as lo25,
        min(gap_days) filter (where last_position >= floor(h25) + 1) as hi25,
        min(gap_days) filter (where last_position >= floor(h75)) as lo75,
        min(gap_days) filter (where last_position >= floor(h75) + 1) as hi75,
        min(gap_days) filter (where last_position >= floor(h90)) as lo90,
        min(gap_days) filter (where last_position >= floor(h90) + 1) as hi90
    from percentile_points
    group by is_total, segment
),

gap_stats as (
    select
        is_total,
        segment,
        gaps,
        lo50 + (h50 - floor(h50)) * (coalesce(hi50, lo50) - lo50) as median_gap_days,
        lo25 + (h25 - floor(h25)) * (coalesce(hi25, lo25) - lo25) as p25_gap_days,
        lo75 + (h75 - floor(h75)) * (coalesce(hi75, lo75) - lo75) as p75_gap_days,
        lo90 + (h90 - floor(h90)) * (coalesce(hi90, lo90) - lo90) as p90_gap_days,
        mean_gap_days
    from gap_bounds
),

new_customer_orders as (
    -- the orders of customers without an order before $start (all channels; up to $end)
    select o.customer_no, o.order_key, o.order_date, o.channel, o.store, o.segment, o.region
    from orders o
    left join before_period b on b.customer_no = o.customer_no
    where o.order_date between $start and $end
      and b.customer_no is null
),

first_two_orders as (
    -- every new customer's first two orders (no dimension filter here), the channel and store of the
    -- first one (ties on one day: the lower order key)
    select
        customer_no,
        any_value(segment) as segment,
        any_value(region) as region,
        min(order_date, 2) as first_two_dates,
        arg_min_null(channel, (order_date, order_key)) as first_channel,
        arg_min_null(store, (order_date, order_key)) as first_store
    from new_customer_orders
    group by customer_no
),

new_customers as (
    select *
    from first_two_orders
    where (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, first_channel))
      and (len($stores) = 0 or list_contains($stores, first_store))
),

second_order_stats as (
    select
        grouping(segment) = 1 as is_total,
        segment,
        count(*) as new_customers,
        count(first_two_dates[2]) as second_order_customers,
        count(first_two_dates[2]) / count(*) as second_order_share,
        median(date_diff('day', first_two_dates[1], first_two_dates[2])) as median_days_to_second
    from new_customers
    group by grouping sets ((segment), ())
),

final as (
    select
        coalesce(g.is_total, s.is_total) as is_total,
        coalesce(g.segment, s.segment) as segment,
        coalesce(g.gaps, 0) as gaps,
        g.median_gap_days, g.p25_gap_days, g.p75_gap_days, g.p90_gap_days, g.mean_gap_days,
        coalesce(s.new_customers, 0) as new_customers,
        coalesce(s.second_order_customers, 0) as second_order_customers,
        s.second_order_share,
        s.median_days_to_second
    from gap_stats g
    full join second_order_stats s
      on g.is_total = s.is_total and g.segment is not distinct from s.segment
)

select * from final order by is_total desc, gaps desc, segment
