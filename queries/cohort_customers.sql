-- The customers behind one cohort retention cell ($cohort = first day of the cohort's bucket, $period = k),
-- with the same cohort, period and retention rules as cohort_retention.sql: for k = 0 every member of
-- the cohort; for k >= 1 the members with >= $min_orders orders in bucket k ($retention = 'bracketed')
-- or in buckets k and later up to $end ('unbounded'). Per customer: segment, region, first order date and
-- channel, orders and revenue counted for the cell, and all orders and revenue up to $end.
-- Parameters: $cohort, $period, $grain, $retention, $min_orders, $start, $end, $segments, $regions,
-- $channels, $stores.
with bucket_orders as (
    -- the orders in the cohort's bucket from max($start, $cohort) on (up to $end)
    select *
    from orders
    where order_date between greatest(cast($start as date), cast($cohort as date)) and $end
      and cast(date_trunc($grain, order_date) as date) = $cohort
),

candidates as (
    -- each customer's first order in there: date, channel and store (ties on one day: the lower order key);
    -- customer_no is the integer customer key
    select
        customer_no,
        any_value(customer_id) as customer_id,
        any_value(segment) as segment,
        any_value(region) as region,
        min(order_date) as first_order_date,
        arg_min_null(channel, (order_date, order_key)) as first_channel,
        arg_min_null(store, (order_date, order_key)) as first_store
    from bucket_orders
    group by customer_no
),

returning_candidates as (
    -- candidates with an earlier order: their first order ever lies before the cohort (or the period)
    select o.customer_no
    from orders o
    join candidates c on c.customer_no = o.customer_no
    where o.order_date < greatest(cast($start as date), cast($cohort as date))
    group by o.customer_no
),

cohort_members as (
    -- the other candidates: their first order ever lies in the cohort's bucket and in [$start, $end]
    select c.customer_no, c.customer_id, c.segment, c.region, c.first_channel, c.first_order_date
    from candidates c
    left join returning_candidates r on r.customer_no = c.customer_no
    where r.customer_no is null
      and (len($segments) = 0 or list_contains($segments, c.segment))
      and (len($regions) = 0 or list_contains($regions, c.region))
      and (len($channels) = 0 or list_contains($channels, c.first_channel))
      and (len($stores) = 0 or list_contains($stores, c.first_store))
),

member_orders as (
    select
        m.customer_no,
        date_diff($grain, cast($cohort as date), cast(date_trunc($grain, o.order_date) as date)) as period,
        o.revenue
    from cohort_members m
    join orders o on o.customer_no = m.customer_no
    -- members' orders all lie in the period, from the first one on
    where o.order_date between greatest(cast($start as date), cast($cohort as date)) and $end
),

per_member as (
    select
        customer_no,
        count(*) filter (where period = $period) as orders_in_period,
        count(*) filter (where period >= $period) as orders_from_period,
        coalesce(sum(revenue) filter (where period = $period), 0) as revenue_in_period,
        coalesce(sum(revenue) filter (where period >= $period), 0) as revenue_from_period,
        count(*) as orders_total,
        sum(revenue) as revenue_total
    from member_orders
    group by customer_no
),

final as (
    select
        m.customer_id,
        m.segment,
        m.region,
        m.first_order_date,
        m.first_channel,
        case when $retention = 'unbounded' then p.orders_from_period else p.orders_in_period end as cell_orders,
        case when $retention = 'unbounded' then p.revenue_from_period else p.revenue_in_period end as cell_revenue,
        p.orders_total,
        p.revenue_total
    from cohort_members m
    join per_member p on p.customer_no = m.customer_no
    where $period = 0
       or ($retention = 'bracketed' and p.orders_in_period >= $min_orders)
       or ($retention = 'unbounded' and p.orders_from_period >= $min_orders)
)

select * from final order by cell_revenue desc, customer_id
