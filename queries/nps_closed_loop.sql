-- Closed loop: every detractor answer (nps 0-6) of a known customer in the period, whether the customer
-- had a service contact (any row in contacts) within $followup_days days after the answer (contact_date
-- from the response date up to response date + $followup_days), the first such contact, the due date
-- (response date + $followup_days) and revenue_12m (revenue booked in the 365 days up to the answer).
-- The page lists the rows with contacted = false. Survey filters: docs/metrics.md#survey-filters.
-- Parameters: $followup_days, $start, $end, $segments, $regions, $channels, $stores.
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

detractors as (
    select response_date, customer_id, nps, csat, touchpoint, segment, region, comment
    from filtered_surveys
    where nps <= 6 and customer_id is not null
),

first_contact as (
    select d.customer_id, d.response_date, min(c.contact_date) as first_contact_date
    from detractors d
    join contacts c
      on c.customer_id = d.customer_id
     and c.contact_date between d.response_date and d.response_date + $followup_days
    group by d.customer_id, d.response_date
),

revenue_before as (
    select d.customer_id, d.response_date, sum(t.revenue) as revenue_12m
    from (select distinct customer_id, response_date from detractors) d
    join transactions t
      on t.customer_id = d.customer_id
     and t.order_date > d.response_date - 365
     and t.order_date <= d.response_date
    group by d.customer_id, d.response_date
),

final as (
    select
        d.response_date,
        d.customer_id,
        d.nps,
        d.csat,
        d.touchpoint,
        d.segment,
        d.region,
        d.comment,
        coalesce(r.revenue_12m, 0) as revenue_12m,
        cast(d.response_date + $followup_days as date) as due_date,
        f.first_contact_date,
        f.first_contact_date is not null as contacted
    from detractors d
    left join first_contact f on f.customer_id = d.customer_id and f.response_date = d.response_date
    left join revenue_before r on r.customer_id = d.customer_id and r.response_date = d.response_date
)

select * from final order by response_date desc, customer_id
