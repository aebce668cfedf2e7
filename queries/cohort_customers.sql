-- The customers behind one cohort retention cell ($cohort = first day of the cohort's bucket, $period = k),
-- with the same cohort, period and retention rules as cohort_retention.sql: for k = 0 every member of
-- the cohort; for k >= 1 the members with >= $min_orders orders in bucket k ($retention = 'bracketed')
-- or in buckets k and later up to $end ('unbounded'). Per customer: segment, region, first order date and
-- channel, orders and revenue counted for the cell, and all orders and revenue up to $end.
-- Parameters: $cohort, $period, $grain, $retention, $min_orders, $start, $end, $segments, $regions,
-- $channels, $stores.
with first_orders as (
    -- each customer's first order ever (up to $end): date, channel and store (ties on one day: the lower
    -- order key)
    select
        customer_id,
        any_value(segment) as segment,
        any_value(region) as region,
        min(order_date) as first_order_date,
        arg_min_null(channel, (order_date, order_key)) as first_channel,
        arg_min_null(store, (order_date, order_key)) as first_store
    from orders
    where order_date <= $end
    group by customer_id
),

cohort_members as (
    select customer_id, segment, region, first_channel, first_order_date
    from first_orders
    where first_order_date between $start and $end
      and cast(date_trunc($grain, first_order_date) as date) = $cohort
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, first_channel))
      and (len($stores) = 0 or list_contains($stores, first_store))
),

member_orders as (
    select
        m.customer_id,
        date_diff($grain, cast($cohort as date), cast(date_trunc($grain, o.order_date) as date)) as period,
        o.revenue
    from cohort_members m
    join orders o using (customer_id)
    where o.order_date between $start and $end  -- members' orders all lie in the period
),

per_member as (
    select
        customer_id,
        count(*) filter (where period = $period) as orders_in_period,
        count(*) filter (where period >= $period) as orders_from_period,
        coalesce(sum(revenue) filter (where period = $period), 0) as revenue_in_period,
        coalesce(sum(revenue) filter (where period >= $period), 0) as revenue_from_period,
        count(*) as orders_total,
        sum(revenue) as revenue_total
    from member_orders
    group by customer_id
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
    join per_member p using (customer_id)
    where $period = 0
       or ($retention = 'bracketed' and p.orders_in_period >= $min_orders)
       or ($retention = 'unbounded' and p.orders_from_period >= $min_orders)
)

select * from final order by cell_revenue desc, customer_id
