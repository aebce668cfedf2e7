-- Who recommends: customers by the NPS group of their latest answer up to $end ('promoter', 'passive',
-- 'detractor'; 'no_answer' without any nps answer), how many of them referred at least one new customer
-- of the period (referred_by of a customer whose first order ever lies in the period) and the share.
-- Segment/region filters apply to the recommending customer; channel/store filters do not apply
-- (a recommendation is no purchase). Parameters: $start, $end, $segments, $regions.
with -- first order date = the earliest order date of the customer (the earliest of their transaction rows)
first_orders as (
    select customer_id, min(order_date) as first_order_date
    from orders
    group by customer_id
),

referred as (
    select c.referred_by as referrer_id, count(distinct c.customer_id) as referred_customers
    from customers c
    join first_orders f on f.customer_id = c.customer_id
    where f.first_order_date between $start and $end
      and c.referred_by is not null and trim(c.referred_by) <> ''
    group by c.referred_by
),

latest_nps as (
    select customer_id, arg_max(nps, response_date) as nps
    from surveys
    where customer_id is not null and nps is not null and response_date <= $end
    group by customer_id
),

people as (
    select
        a.customer_id,
        case when n.nps is null then 'no_answer'
             when n.nps >= 9 then 'promoter'
             when n.nps >= 7 then 'passive'
             else 'detractor'
        end as grp,
        coalesce(r.referred_customers, 0) as referred_customers
    from customer_attributes a
    left join latest_nps n on n.customer_id = a.customer_id
    left join referred r on r.referrer_id = a.customer_id
    where (len($segments) = 0 or list_contains($segments, a.segment))
      and (len($regions) = 0 or list_contains($regions, a.region))
),

final as (
    select
        grp,
        count(*) as customers,
        count(*) filter (where referred_customers > 0) as referrers,
        count(*) filter (where referred_customers > 0) / count(*) as referrer_share,
        cast(sum(referred_customers) as bigint) as referred_customers
    from people
    group by grp
)

select * from final order by grp
