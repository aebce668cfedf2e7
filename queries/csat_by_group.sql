-- Customer satisfaction (CSAT, 1-5) per group: answers with a csat, their sum and mean, and the
-- top-2-box count (answers 4 or 5); the Wilson interval of the top-2-box share is computed in
-- loyalty/stats.py. Groups as in nps_by_group.sql ($by: total, touchpoint, segment, region, channel,
-- month, quarter). Survey filters: docs/metrics.md#survey-filters.
-- Parameters: $by, $start, $end, $segments, $regions, $channels, $stores.
with surveys_in_period as (
    select *
    from surveys
    where response_date between $start and $end
),

-- the purchase an answer refers to: the customer's latest purchase (row with revenue >= 0) on or before
-- the answer date, on a day with several the greatest (order_id, channel, store); only read when a
-- channel or store filter is set
purchases_before_answer as (
    select customer_id, order_date,
           max({'order_id': coalesce(order_id, ''), 'channel': channel, 'store': store}) as purchase
    from transactions
    where (len($channels) > 0 or len($stores) > 0)
      and revenue >= 0
      and order_date <= $end
      and customer_id in (select customer_id from surveys_in_period)
    group by customer_id, order_date
),

-- the latest purchase day on or before each answer date (portable form of an ASOF join)
referenced_purchases as (
    select d.customer_id, d.response_date, max_by(p.purchase, p.order_date) as purchase
    from (select distinct customer_id, response_date from surveys_in_period) d
    join purchases_before_answer p on p.customer_id = d.customer_id and p.order_date <= d.response_date
    group by d.customer_id, d.response_date
),

filtered_surveys as (
    select s.response_date, s.customer_id, s.nps, s.csat, s.touchpoint, s.comment,
           a.segment, a.region, p.purchase.channel as channel, p.purchase.store as store
    from surveys_in_period s
    left join customer_attributes a on a.customer_id = s.customer_id
    left join referenced_purchases p on p.customer_id = s.customer_id and p.response_date = s.response_date
    where (len($segments) = 0 or list_contains($segments, a.segment))
      and (len($regions) = 0 or list_contains($regions, a.region))
      and (len($channels) = 0 or list_contains($channels, p.purchase.channel))
      and (len($stores) = 0 or list_contains($stores, p.purchase.store))
),

-- the channel split needs the referenced purchase also without a channel/store filter (with one,
-- filtered_surveys already holds it)
split_purchases as (
    select customer_id, order_date,
           max({'order_id': coalesce(order_id, ''), 'channel': channel, 'store': store}) as purchase
    from transactions
    where $by = 'channel'
      and len($channels) = 0 and len($stores) = 0
      and revenue >= 0
      and order_date <= $end
      and customer_id in (select customer_id from surveys_in_period)
    group by customer_id, order_date
),

referenced_split_purchases as (
    select d.customer_id, d.response_date, max_by(p.purchase, p.order_date) as purchase
    from (select distinct customer_id, response_date from filtered_surveys) d
    join split_purchases p on p.customer_id = d.customer_id and p.order_date <= d.response_date
    group by d.customer_id, d.response_date
),

grouped as (
    select
        case $by
            when 'total' then 'total'
            when 'touchpoint' then f.touchpoint
            when 'segment' then f.segment
            when 'region' then f.region
            when 'channel' then coalesce(f.channel, p.purchase.channel)
            when 'month' then strftime(f.response_date, '%Y-%m')
            when 'quarter' then year(f.response_date) || '-Q' || quarter(f.response_date)
        end as grp,
        case when $by in ('month', 'quarter')
            then cast(date_trunc(case when $by = 'quarter' then 'quarter' else 'month' end, f.response_date) as date)
        end as period,
        f.csat
    from filtered_surveys f
    left join referenced_split_purchases p on p.customer_id = f.customer_id and p.response_date = f.response_date
    where f.csat is not null
),

final as (
    select
        grp,
        period,
        count(*) as n,
        sum(csat) as csat_sum,
        avg(csat) as csat_mean,
        count(*) filter (where csat >= 4) as top2
    from grouped
    group by grp, period
)

select * from final order by period nulls last, grp nulls last
