-- Customers a measure could be rolled out to, per segment: customers with >= 1 order in the 365 days
-- up to the last data day (active_customers) and all known customers (customers). Used as the
-- default size of a what-if rollout. Definitions: docs/metrics.md#measures.
with data_bounds as (
    select max(order_date) as data_end
    from transactions
),

recent as (
    select distinct o.customer_id
    from orders o
    cross join data_bounds b
    where o.order_date > b.data_end - 365
),

final as (
    select a.segment,
           count(r.customer_id) as active_customers,
           count(*) as customers
    from customer_attributes a
    left join recent r on r.customer_id = a.customer_id
    group by a.segment
)

select * from final order by segment
