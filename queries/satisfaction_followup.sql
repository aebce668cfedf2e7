-- Satisfaction -> loyalty -> success: what customers did in the 12 months after their answer, by answer
-- group. Per known customer the first answer in the period that has a score ($score = 'nps': group
-- promoter/passive/detractor; 'csat': group '1'..'5') and a complete follow-up, i.e. answer date + 365
-- days <= the last order date in the data. Follow-up = orders (all channels) with order date in
-- (answer date, answer date + 365 days]. Per group: customers, repurchasers (>= 1 order in the
-- follow-up), repurchase_rate, orders, revenue and both per customer. A correlation, not a proof of cause.
-- Survey filters: docs/metrics.md#survey-filters.
-- Parameters: $score, $start, $end, $segments, $regions, $channels, $stores.
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

data_end as (
    select max(order_date) as last_day from transactions
),

first_answers as (
    select
        customer_id,
        response_date,
        case when $score = 'csat' then cast(csat as varchar)
             when nps >= 9 then 'promoter'
             when nps >= 7 then 'passive'
             else 'detractor'
        end as grp
    from filtered_surveys, data_end
    where customer_id is not null
      and (case when $score = 'csat' then csat else nps end) is not null
      and response_date + 365 <= data_end.last_day
    qualify row_number() over (
        partition by customer_id
        order by response_date, case when $score = 'csat' then csat else nps end
    ) = 1
),

followup as (
    select
        f.customer_id,
        f.grp,
        count(o.order_key) as orders,
        coalesce(sum(o.revenue), 0) as revenue
    from first_answers f
    left join orders o
      on o.customer_id = f.customer_id
     and o.order_date > f.response_date
     and o.order_date <= f.response_date + 365
    group by f.customer_id, f.grp
),

final as (
    select
        grp,
        count(*) as customers,
        count(*) filter (where orders >= 1) as repurchasers,
        count(*) filter (where orders >= 1) / count(*) as repurchase_rate,
        cast(sum(orders) as bigint) as orders,
        sum(revenue) as revenue,
        sum(orders) / count(*) as orders_per_customer,
        sum(revenue) / count(*) as revenue_per_customer
    from followup
    group by grp
)

select * from final order by grp
