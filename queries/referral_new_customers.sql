-- Word of mouth: new customers of the period won by recommendation against the other new customers.
-- New customer = first order ever (over all data) in the period and >= 1 order in the filtered orders.
-- Group 'referral': referred_by is filled or acquired_via is 'referral' / 'recommendation' / 'empfehlung' /
-- 'weiterempfehlung' (case-insensitive); 'other': acquired_via filled with anything else; 'unknown':
-- both empty. Per group: new customers, repeat buyers (>= 2 orders in the period), repeat purchase
-- rate, orders, revenue and both per customer (orders in the filtered period; base definitions).
-- Parameters: $start, $end, $segments, $regions, $channels, $stores.
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

-- first order date = the earliest order date of the customer (the earliest of their transaction rows)
first_orders as (
    select customer_no, min(order_date) as first_order_date
    from orders
    group by customer_no
),

acquisition as (
    select
        customer_id,
        case
            when bool_or(referred_by is not null and trim(referred_by) <> '')
              or bool_or(lower(trim(acquired_via)) in ('referral', 'recommendation', 'empfehlung', 'weiterempfehlung'))
                then 'referral'
            when bool_or(acquired_via is not null and trim(acquired_via) <> '') then 'other'
            else 'unknown'
        end as grp
    from customers
    group by customer_id
),

new_customer_orders as (
    select o.customer_no, any_value(o.customer_id) as customer_id, count(*) as orders, sum(o.revenue) as revenue
    from filtered_orders o
    join first_orders f on f.customer_no = o.customer_no and f.first_order_date between $start and $end
    group by o.customer_no
),

new_customers as (
    select n.customer_id, coalesce(a.grp, 'unknown') as grp, n.orders, n.revenue
    from new_customer_orders n
    left join acquisition a on a.customer_id = n.customer_id
),

final as (
    select
        grp,
        count(*) as new_customers,
        count(*) filter (where orders >= 2) as repeat_buyers,
        count(*) filter (where orders >= 2) / count(*) as repeat_purchase_rate,
        cast(sum(orders) as bigint) as orders,
        sum(revenue) as revenue,
        sum(orders) / count(*) as orders_per_customer,
        sum(revenue) / count(*) as revenue_per_customer
    from new_customers
    group by grp
)

select * from final order by grp
