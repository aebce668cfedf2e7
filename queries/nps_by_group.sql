-- Net Promoter Score answers per group: answers with an nps, promoters (9-10), passives (7-8) and
-- detractors (0-6). NPS and its confidence interval are computed from these counts in loyalty/stats.py.
-- $by: 'total' (one row), 'touchpoint', 'segment', 'region', 'channel' (of the purchase the answer refers
-- to), 'month' or 'quarter' (of the response date; then `period` is the first day of the bucket).
-- Survey filters (docs/metrics.md#survey-filters): period on response_date; segment/region via the
-- customer (anonymous answers only without these filters); channel/store of the referenced purchase.
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
        f.nps
    from filtered_surveys f
    left join referenced_split_purchases p on p.customer_id = f.customer_id and p.response_date = f.response_date
    where f.nps is not null
),

final as (
    select
        grp,
        period,
        count(*) as n,
        count(*) filter (where nps >= 9) as promoters,
        count(*) filter (where nps between 7 and 8) as passives,
        count(*) filter (where nps <= 6) as detractors
    from grouped
    group by grp, period
)

select * from final order by period nulls last, grp nulls last
