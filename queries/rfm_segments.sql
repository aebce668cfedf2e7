-- RFM segments of the customers active in the period: customers, revenue, their shares, and the mean
-- recency (days), frequency (orders) and monetary value (revenue) per segment.
-- Definition: docs/metrics.md#rfm. Parameters: $score_method, $recency_cuts, $frequency_cuts,
-- $monetary_cuts, $segment_grid and the shared filters.
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

periods as (
    select 'current' as period, cast($start as date) as period_start, cast($end as date) as period_end
),

-- >>> rfm scoring: identical in every rfm_*.sql (tests/queries/test_rfm_segments.py checks it)
period_customers as (
    select p.period,
           o.customer_id,
           any_value(o.segment) as segment,
           max(o.order_date) as last_order,
           date_diff('day', max(o.order_date), any_value(p.period_end)) as recency_days,
           count(*) as frequency,
           sum(o.revenue) as monetary
    from filtered_orders o
    join periods p on o.order_date between p.period_start and p.period_end
    group by p.period, o.customer_id
),

-- Quantiles: score = 1 + floor(5 * (rank - 1) / customers), rank from worst (1) to best; ties share the
-- lowest rank, so equal values always get the same (lower) score. Cut points: recency_days <= cut 1 -> 5
-- ... > cut 4 -> 1; frequency and monetary >= cut k -> score k + 1.
scored as (
    select *,
           cast(case when $score_method = 'cut_points'
                then 5 - len(list_filter($recency_cuts, lambda c: recency_days > c))
                else 1 + floor(5 * (rank() over (partition by period order by recency_days desc) - 1)
                               / count(*) over (partition by period)) end as integer) as r_score,
           cast(case when $score_method = 'cut_points'
                then 1 + len(list_filter($frequency_cuts, lambda c: frequency >= c))
                else 1 + floor(5 * (rank() over (partition by period order by frequency) - 1)
                               / count(*) over (partition by period)) end as integer) as f_score,
           cast(case when $score_method = 'cut_points'
                then 1 + len(list_filter($monetary_cuts, lambda c: monetary >= c))
                else 1 + floor(5 * (rank() over (partition by period order by monetary) - 1)
                               / count(*) over (partition by period)) end as integer) as m_score
    from period_customers
),

-- $segment_grid: the segment name of each R x F cell, index (R - 1) * 5 + F (loyalty/customer_value.py)
named as (
    select *, list_extract($segment_grid, (r_score - 1) * 5 + f_score) as rfm_segment
    from scored
),
-- <<< rfm scoring

final as (
    select rfm_segment,
           count(*) as customers,
           count(*) / sum(count(*)) over () as customer_share,
           sum(monetary) as revenue,
           sum(monetary) / nullif(sum(sum(monetary)) over (), 0) as revenue_share,
           cast(sum(frequency) as bigint) as orders,
           avg(recency_days) as avg_recency_days,
           avg(frequency) as avg_frequency,
           avg(monetary) as avg_monetary
    from named
    group by rfm_segment
)

select * from final order by revenue desc
