-- RFM per customer active in the period: recency = days from the last order to the period end,
-- frequency = orders, monetary = revenue in the period; scores 1-5 (quantiles or cut points) and the
-- segment from the R x F map. $rfm_segment = '' lists all customers, otherwise only that segment.
-- Definition: docs/metrics.md#rfm. Parameters: $score_method, $recency_cuts, $frequency_cuts,
-- $monetary_cuts, $segment_grid, $rfm_segment and the shared filters.
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
-- grouped by customer_no (one integer per customer_id): cheaper than by the text id; the text
-- columns are only read by the queries that show them
period_customers as (
    select p.period,
           o.customer_no,
           any_value(o.customer_id) as customer_id,
           any_value(o.segment) as segment,
           max(o.order_date) as last_order,
           date_diff('day', max(o.order_date), any_value(p.period_end)) as recency_days,
           count(*) as frequency,
           sum(o.revenue) as monetary
    from filtered_orders o
    join periods p on o.order_date between p.period_start and p.period_end
    group by p.period, o.customer_no
),

-- Quantiles: score = 1 + floor(5 * (rank - 1) / customers), rank from worst (1) to best; ties share the
-- lowest rank, so equal values always get the same (lower) score. Cut points: recency_days <= cut 1 -> 5
-- ... > cut 4 -> 1; frequency and monetary >= cut k -> score k + 1.
-- The quantile score needs no rank per customer: rank - 1 = the number of customers with a worse value,
-- so the score exceeds k exactly when the value is better than q_k, the value at position
-- ceil(k * customers / 5) counted from the worst (k = 1 .. 4). Per period, q_k is the first distinct
-- value (worst first) whose cumulative customer count reaches k / 5 of the customers.
recency_quantiles as (
    select period,
           max(case when 5 * customers_up_to >= 1 * customers then recency_days end) as q1,
           max(case when 5 * customers_up_to >= 2 * customers then recency_days end) as q2,
           max(case when 5 * customers_up_to >= 3 * customers then recency_days end) as q3,
           max(case when 5 * customers_up_to >= 4 * customers then recency_days end) as q4
    from (select period, recency_days,
                 sum(count(*)) over (partition by period order by recency_days desc
                                     rows between unbounded preceding and current row) as customers_up_to,
                 sum(count(*)) over (partition by period) as customers
          from period_customers
          group by period, recency_days) levels
    group by period
),

frequency_quantiles as (
    select period,
           min(case when 5 * customers_up_to >= 1 * customers then frequency end) as q1,
           min(case when 5 * customers_up_to >= 2 * customers then frequency end) as q2,
           min(case when 5 * customers_up_to >= 3 * customers then frequency end) as q3,
           min(case when 5 * customers_up_to >= 4 * customers then frequency end) as q4
    from (select period, frequency,
                 sum(count(*)) over (partition by period order by frequency
                                     rows between unbounded preceding and current row) as customers_up_to,
                 sum(count(*)) over (partition by period) as customers
          from period_customers
          group by period, frequency) levels
    group by period
),

monetary_quantiles as (
    select period,
           min(case when 5 * customers_up_to >= 1 * customers then monetary end) as q1,
           min(case when 5 * customers_up_to >= 2 * customers then monetary end) as q2,
           min(case when 5 * customers_up_to >= 3 * customers then monetary end) as q3,
           min(case when 5 * customers_up_to >= 4 * customers then monetary end) as q4
    from (select period, monetary,
                 sum(count(*)) over (partition by period order by monetary
                                     rows between unbounded preceding and current row) as customers_up_to,
                 sum(count(*)) over (partition by period) as customers
          from period_customers
          group by period, monetary) levels
    group by period
),

scored as (
    select c.*,
           cast(case when $score_method = 'cut_points'
                then 5 - len(list_filter($recency_cuts, lambda x: c.recency_days > x))
                else 1 + cast(c.recency_days < r.q1 as integer) + cast(c.recency_days < r.q2 as integer)
                       + cast(c.recency_days < r.q3 as integer) + cast(c.recency_days < r.q4 as integer)
                end as integer) as r_score,
           cast(case when $score_method = 'cut_points'
                then 1 + len(list_filter($frequency_cuts, lambda x: c.frequency >= x))
                else 1 + cast(c.frequency > f.q1 as integer) + cast(c.frequency > f.q2 as integer)
                       + cast(c.frequency > f.q3 as integer) + cast(c.frequency > f.q4 as integer)
                end as integer) as f_score
    from period_customers c
    join recency_quantiles r on r.period = c.period
    join frequency_quantiles f on f.period = c.period
),

-- $segment_grid: the segment name of each R x F cell, index (R - 1) * 5 + F (loyalty/customer_value.py)
named as (
    select *, list_extract($segment_grid, (r_score - 1) * 5 + f_score) as rfm_segment
    from scored
),

-- M does not decide the segment: only the queries that show it read this (and so the monetary quantiles)
named_with_m as (
    select n.*,
           cast(case when $score_method = 'cut_points'
                then 1 + len(list_filter($monetary_cuts, lambda x: n.monetary >= x))
                else 1 + cast(n.monetary > m.q1 as integer) + cast(n.monetary > m.q2 as integer)
                       + cast(n.monetary > m.q3 as integer) + cast(n.monetary > m.q4 as integer)
                end as integer) as m_score
    from named n
    join monetary_quantiles m on m.period = n.period
),
-- <<< rfm scoring

final as (
    select customer_id, segment, rfm_segment, r_score, f_score, m_score, last_order, recency_days,
           frequency, monetary
    from named_with_m
    where $rfm_segment = '' or rfm_segment = $rfm_segment
)

select * from final order by monetary desc, customer_id
