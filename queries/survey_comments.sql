-- The latest survey comments (newest first, at most $limit), of $answer_group: 'detractor' (nps 0-6),
-- 'passive' (7-8), 'promoter' (9-10) or 'all' (every answer with a comment, also csat-only ones).
-- $search: '' for all, else the comment or the customer number must contain it (case-insensitive, literal).
-- revenue_12m = the customer's revenue booked in the 365 days up to and including the answer date
-- (transaction rows by their date, returns reduce it; null for anonymous answers). Survey filters: docs/metrics.md#survey-filters.
-- Parameters: $answer_group, $search, $limit, $start, $end, $segments, $regions, $channels, $stores.
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

latest as (
    select *
    from filtered_surveys
    where comment is not null and trim(comment) <> ''
      and ($answer_group = 'all'
           or ($answer_group = 'detractor' and nps <= 6)
           or ($answer_group = 'passive' and nps between 7 and 8)
           or ($answer_group = 'promoter' and nps >= 9))
      and ($search = ''
           or contains(lower(comment), lower($search))
           or contains(lower(coalesce(customer_id, '')), lower($search)))
    order by response_date desc, customer_id nulls last, comment
    limit $limit
),

revenue_before as (
    select l.customer_id, l.response_date, sum(t.revenue) as revenue_12m
    from (select distinct customer_id, response_date from latest where customer_id is not null) l
    join transactions t
      on t.customer_id = l.customer_id
     and t.order_date > l.response_date - 365
     and t.order_date <= l.response_date
    group by l.customer_id, l.response_date
),

final as (
    select
        l.response_date,
        l.customer_id,
        l.nps,
        l.csat,
        l.touchpoint,
        l.segment,
        l.comment,
        case when l.customer_id is not null then coalesce(r.revenue_12m, 0) end as revenue_12m
    from latest l
    left join revenue_before r on r.customer_id = l.customer_id and r.response_date = l.response_date
)

select * from final order by response_date desc, customer_id nulls last, comment
