-- Churn over time: for every $grain bucket ('month', 'quarter' or 'week') that overlaps [$start, $end],
-- the status counts at its end (the bucket's last day, or $end for the last, cut bucket) with the same
-- rules as churn_status.sql, and the churn of the bucket: churned = customers who were active or at
-- risk at the end of the previous bucket (the day before the bucket starts) and are inactive at its end;
-- churn_rate = churned / (active + at risk at the end of the previous bucket).
-- A customer's status at a date uses their last order on or before it, so each customer has one status
-- per date from their first order on. Computed from spans instead of a row per customer and date: an order
-- (or a customer's last order before the first bucket) is their last order from its date until the day
-- before their next order; the spans are counted per (last order, last bucket end before the next order)
-- and evaluated at the bucket ends. Churned = customers without an order in the bucket whose last order
-- makes them active or at risk the day before it and inactive at its end, plus customers whose last order
-- in the bucket leaves them inactive at its end (possible only when both thresholds are shorter than the
-- bucket) and whose last order before it made them active or at risk.
-- Parameters: $grain, $start, $end, $at_risk_after_days, $inactive_after_days, $segments, $regions,
-- $channels, $stores.
with scoped_orders as not materialized (
    -- the shared dimension filters; statuses need every order up to the period end
    select *
    from orders
    where order_date <= $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

bucket_starts as (
    -- one row per bucket: the distinct $grain starts of the days in [$start, $end]
    select distinct cast(date_trunc($grain, day) as date) as period
    from generate_series(cast($start as date), cast($end as date), interval 1 day) as g(day)
),

buckets as (
    select
        period,
        coalesce(lead(period) over (order by period) - 1, cast($end as date)) as period_end,
        period - 1 as previous_end
    from bucket_starts
),

evaluation_dates as (
    select period_end as eval_date from buckets
    union
    select previous_end from buckets
),

last_before as (
    -- each customer's last order before the first bucket
    select customer_no, max(order_date) as order_date
    from scoped_orders
    where order_date < cast(date_trunc($grain, cast($start as date)) as date)
    group by customer_no
),

timeline as (
    -- per customer: that order and every order from the first bucket on
    select customer_no, order_date from last_before
    union all
    select customer_no, order_date
    from scoped_orders
    where order_date >= cast(date_trunc($grain, cast($start as date)) as date)
),

spans as (
    -- each order is the customer's last order from its date until the day before their next order
    select
        customer_no,
        order_date,
        lead(order_date) over (partition by customer_no order by order_date) as next_order_date
    from timeline
),

span_counts as (
    -- spans per (last order, valid_until = the day before the next order's bucket; NULL: no next order): no
    -- bucket end lies between that day and the next order, so the span covers the same bucket ends
    select
        order_date as last_order_date,
        cast(date_trunc($grain, next_order_date) as date) - 1 as valid_until,
        count(*) as customers
    from spans
    group by all
),

status_at as (
    -- per evaluation date: the customers whose last order on or before it is last_order_date
    select
        e.eval_date,
        s.last_order_date,
        s.valid_until,
        s.customers,
        case
            when date_diff('day', s.last_order_date, e.eval_date) <= $at_risk_after_days then 'active'
            when date_diff('day', s.last_order_date, e.eval_date) <= $inactive_after_days then 'at_risk'
            else 'inactive'
        end as status
    from evaluation_dates e
    join span_counts s
      on s.last_order_date <= e.eval_date
     and (s.valid_until is null or s.valid_until >= e.eval_date)
),

counts_at as (
    select
        eval_date,
        cast(coalesce(sum(customers) filter (where status = 'active'), 0) as bigint) as active,
        cast(coalesce(sum(customers) filter (where status = 'at_risk'), 0) as bigint) as at_risk,
        cast(coalesce(sum(customers) filter (where status = 'inactive'), 0) as bigint) as inactive
    from status_at
    group by eval_date
),

churned_without_order as (
    -- no order in the bucket: the same last order makes them active or at risk the day before the bucket
    -- and inactive at its end
    select b.period, sum(s.customers) as churned
    from buckets b
    join status_at s on s.eval_date = b.period_end and s.status = 'inactive'
    where s.last_order_date <= b.previous_end
      and (date_diff('day', s.last_order_date, b.previous_end) <= $at_risk_after_days
           or date_diff('day', s.last_order_date, b.previous_end) <= $inactive_after_days)
    group by b.period
),

before_bucket as (
    -- a customer's last order before a bucket in which they order again, when it makes them active or at
    -- risk the day before that bucket
    select customer_no, cast(date_trunc($grain, next_order_date) as date) as period
    from spans
    where cast(date_trunc($grain, next_order_date) as date) > order_date
      and (date_diff('day', order_date, cast(date_trunc($grain, next_order_date) as date) - 1)
               <= $at_risk_after_days
           or date_diff('day', order_date, cast(date_trunc($grain, next_order_date) as date) - 1)
               <= $inactive_after_days)
),

last_in_bucket as (
    -- a customer's last order in a bucket when it leaves them inactive at the bucket's end (only possible
    -- when both thresholds are shorter than the bucket)
    select s.customer_no, b.period
    from spans s
    join buckets b on b.period = cast(date_trunc($grain, s.order_date) as date)
    where s.order_date >= cast(date_trunc($grain, cast($start as date)) as date)
      -- (necessary conditions first, so that only few orders need their bucket)
      and date_diff('day', s.order_date, cast($end as date)) > $at_risk_after_days
      and date_diff('day', s.order_date, cast($end as date)) > $inactive_after_days
      and (s.next_order_date is null
           or (date_diff('day', s.order_date, s.next_order_date) > $at_risk_after_days
               and date_diff('day', s.order_date, s.next_order_date) > $inactive_after_days))
      and (s.next_order_date is null or s.next_order_date > b.period_end)
      and date_diff('day', s.order_date, b.period_end) > $at_risk_after_days
      and date_diff('day', s.order_date, b.period_end) > $inactive_after_days
),

churned_after_order as (
    -- ordered in the bucket, but inactive again at its end
    select l.period, count(*) as churned
    from last_in_bucket l
    join before_bucket f on f.customer_no = l.customer_no and f.period = l.period
    group by l.period
),

churned as (
    select period, cast(sum(churned) as bigint) as churned
    from (select * from churned_without_order union all select * from churned_after_order) as c
    group by period
),

final as (
    select
        b.period,
        case $grain
            when 'quarter' then strftime(b.period, '%Y') || '-Q' || quarter(b.period)
            when 'week' then strftime(b.period, '%G-W%V')
            else strftime(b.period, '%Y-%m')
        end as period_label,
        b.period_end,
        coalesce(n.active, 0) as active,
        coalesce(n.at_risk, 0) as at_risk,
        coalesce(n.inactive, 0) as inactive,
        coalesce(p.active, 0) + coalesce(p.at_risk, 0) as alive_at_start,
        coalesce(c.churned, 0) as churned,
        coalesce(c.churned, 0) / nullif(coalesce(p.active, 0) + coalesce(p.at_risk, 0), 0) as churn_rate
    from buckets b
    left join counts_at n on n.eval_date = b.period_end
    left join counts_at p on p.eval_date = b.previous_end
    left join churned c on c.period = b.period
)

select * from final order by period
