-- Survey answers and response rate per period bucket ($grain: 'month', 'quarter', or 'total' = one row
-- for the whole period, dated $start). answers = all answers (nps and/or csat, anonymous included);
-- active_customers = customers with >= 1 order in the bucket (filtered like every order metric);
-- response_rate = answers / active_customers. Survey filters: docs/metrics.md#survey-filters.
-- Parameters: $grain, $start, $end, $segments, $regions, $channels, $stores.
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

filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

answers as (
    select
        case when $grain = 'total' then cast($start as date)
             else cast(date_trunc(case when $grain = 'quarter' then 'quarter' else 'month' end, response_date) as date)
        end as period,
        count(*) as answers,
        count(nps) as nps_answers,
        count(csat) as csat_answers,
        count(*) filter (where customer_id is null) as anonymous_answers,
        count(distinct customer_id) as answering_customers
    from filtered_surveys
    group by 1
),

active as (
    select
        case when $grain = 'total' then cast($start as date)
             else cast(date_trunc(case when $grain = 'quarter' then 'quarter' else 'month' end, order_date) as date)
        end as period,
        count(distinct customer_id) as active_customers
    from filtered_orders
    group by 1
),

final as (
    select
        period,
        coalesce(s.answers, 0) as answers,
        coalesce(s.nps_answers, 0) as nps_answers,
        coalesce(s.csat_answers, 0) as csat_answers,
        coalesce(s.anonymous_answers, 0) as anonymous_answers,
        coalesce(s.answering_customers, 0) as answering_customers,
        coalesce(a.active_customers, 0) as active_customers,
        coalesce(s.answers, 0) / nullif(a.active_customers, 0) as response_rate
    from answers s
    full outer join active a using (period)
)

select * from final order by period
