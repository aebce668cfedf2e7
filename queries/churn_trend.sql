-- Churn over time: for every $grain bucket ('month', 'quarter' or 'week') that overlaps [$start, $end],
-- the status counts at its end (the bucket's last day, or $end for the last, cut bucket) with the same
-- rules as churn_status.sql, and the churn of the bucket: churned = customers who were active or at
-- risk at the end of the previous bucket (the day before the bucket starts) and are inactive at its end;
-- churn_rate = churned / (active + at risk at the end of the previous bucket).
-- A customer's status at a date uses their last order on or before it (the order whose successor, if
-- any, comes after that date), so each customer is one row per date from their first order on.
-- Parameters: $grain, $start, $end, $at_risk_after_days, $inactive_after_days, $segments, $regions,
-- $channels, $stores.
with scoped_orders as (
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

order_spans as (
    -- each order is a customer's last order from its date until the day before their next order
    select
        customer_id,
        order_date,
        lead(order_date) over (partition by customer_id order by order_date, order_key) as next_order_date
    from scoped_orders
),

status_at as (
    select
        e.eval_date,
        s.customer_id,
        case
            when date_diff('day', s.order_date, e.eval_date) <= $at_risk_after_days then 'active'
            when date_diff('day', s.order_date, e.eval_date) <= $inactive_after_days then 'at_risk'
            else 'inactive'
        end as status
    from evaluation_dates e
    join order_spans s
      on s.order_date <= e.eval_date
     and (s.next_order_date is null or s.next_order_date > e.eval_date)
),

counts_at as (
    select
        eval_date,
        count(*) filter (where status = 'active') as active,
        count(*) filter (where status = 'at_risk') as at_risk,
        count(*) filter (where status = 'inactive') as inactive
    from status_at
    group by eval_date
),

churned as (
    select b.period, count(*) as churned
    from buckets b
    join status_at now_ on now_.eval_date = b.period_end and now_.status = 'inactive'
    join status_at before on before.eval_date = b.previous_end and before.customer_id = now_.customer_id
                         and before.status <> 'inactive'
    group by b.period
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
