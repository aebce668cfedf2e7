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

gaps as (
    select
        segment,
        order_date,
        date_diff('day', lag(order_date) over (partition by customer_id order by order_date, order_key),
                  order_date) as gap_days
    from scoped_orders
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
    where gap_days is not null and order_date between $start and $end
    group by grouping sets ((segment), ())
),

numbered_orders as (
    -- every order up to $end, numbered per customer (first order ever = 1); no dimension filter here
    select
        customer_id, order_date, channel, store, segment, region,
        row_number() over (partition by customer_id order by order_date, order_key) as order_number
    from orders
    where order_date <= $end
),

first_two_orders as (
    select
        customer_id,
        any_value(segment) as segment,
        any_value(region) as region,
        min(order_date) filter (where order_number = 1) as first_order_date,
        min(order_date) filter (where order_number = 2) as second_order_date,
        any_value(channel) filter (where order_number = 1) as first_channel,
        any_value(store) filter (where order_number = 1) as first_store
    from numbered_orders
    where order_number <= 2
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
        count(second_order_date) as second_order_customers,
        count(second_order_date) / count(*) as second_order_share,
        median(date_diff('day', first_order_date, second_order_date)) as median_days_to_second
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
