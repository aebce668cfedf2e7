-- The customers the CLV views show: every customer with a transaction, with segment and region, kept
-- when they match the sidebar's segment and region filters (the CLV model itself is fitted on all
-- customers; channel, store and period do not apply to it). Definition: docs/metrics.md#customer-lifetime-value-clv.
-- Parameters: $segments, $regions (empty list = all).
with customers_seen as (
    select distinct customer_id
    from transactions
),

final as (
    select c.customer_id, a.segment, a.region
    from customers_seen c
    left join customer_attributes a using (customer_id)
    where (len($segments) = 0 or list_contains($segments, a.segment))
      and (len($regions) = 0 or list_contains($regions, a.region))
)

select * from final order by customer_id
