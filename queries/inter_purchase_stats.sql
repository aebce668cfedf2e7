-- Inter-purchase time and the step from first to second order, in total and per customer segment.
-- Gaps: days between consecutive orders of a customer whose later order falls in [$start, $end] (earlier
-- order may be before $start; only orders matching the dimension filters): count, median, quartiles,
-- 90th percentile (linear interpolation) and mean.
-- First to second order: new customers = customers whose first order ever (all data, all channels) falls
-- in [$start, $end]; the channel/store filters select by the channel/store of that first order. Of them:
-- how many placed a second order by $end, that share, and the median days from first to second order.
-- One row per segment (is_total = false; segment NULL = customers without segment) plus one total row
-- (is_total = true).
-- Parameters: $start, $end, $segments, $regions, $channels, $stores.
with scoped_orders as (
    -- the shared filters without the period start: earlier orders are needed for the first gap
    select *
    from orders
    where order_date <= $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

previous_before_period as (
    -- each customer's last order before the period: the start of their first gap in the period
    select customer_id, max(order_date) as previous_order_date
    from scoped_orders
    where order_date < $start
    group by customer_id
),

gaps as (
    select
        o.segment,
        date_diff('day',
                  coalesce(lag(o.order_date) over (partition by o.customer_id order by o.order_date, o.order_key),
                           p.previous_order_date),
                  o.order_date) as gap_days
    from scoped_orders o
    left join previous_before_period p using (customer_id)
    where o.order_date between $start and $end
),

gap_stats as (
    select
        grouping(segment) = 1 as is_total,
        segment,
        count(*) as gaps,
        median(gap_days) as median_gap_days,
        quantile_cont(gap_days, 0.25) as p25_gap_days,
        quantile_cont(gap_days, 0.75) as p75_gap_days,
        quantile_cont(gap_days, 0.9) as p90_gap_days,
        avg(gap_days) as mean_gap_days
    from gaps
    where gap_days is not null
    group by grouping sets ((segment), ())
),

first_two_orders as (
    -- every customer's first two orders ever (up to $end; no dimension filter here), the channel and store
    -- of the first one (ties on one day: the lower order key)
    select
        customer_id,
        any_value(segment) as segment,
        any_value(region) as region,
        min(order_date, 2) as first_two_dates,
        min(order_date) as first_order_date,
        arg_min_null(channel, (order_date, order_key)) as first_channel,
        arg_min_null(store, (order_date, order_key)) as first_store
    from orders
    where order_date <= $end
    group by customer_id
),

new_customers as (
    select *
    from first_two_orders
    where first_order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
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
