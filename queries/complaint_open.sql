-- Open complaints: complaints of the period without resolved_date, oldest first, with the days open up
-- to the as-of date (the latest date in the contacts table). Contact filters: docs/metrics.md#contact-filters.
-- Parameters: $start, $end, $segments, $regions.
with filtered_contacts as (
    select
        c.contact_date,
        c.customer_id,
        c.channel,
        c.reason,
        c.resolved_date,
        c.compensation_cost,
        lower(trim(c.type)) in ('complaint', 'beschwerde', 'reklamation') as is_complaint,
        case when c.resolved_date is not null
             then greatest(date_diff('day', c.contact_date, c.resolved_date), 0) end as days_to_resolution
    from contacts c
    left join customer_attributes a on a.customer_id = c.customer_id
    where c.contact_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, a.segment))
      and (len($regions) = 0 or list_contains($regions, a.region))
),

-- the base for "per 1,000 active customers": the same period, segment and region (contacts have no sales
-- channel or store, so those filters do not apply here either)
base_orders as (
    select customer_id, order_date
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
),

-- "as of" date for open cases: the latest date in the contacts table
contacts_as_of as (
    select greatest(max(contact_date), max(resolved_date)) as as_of_date from contacts
),

final as (
    select
        f.contact_date,
        f.customer_id,
        f.channel,
        f.reason,
        date_diff('day', f.contact_date, a.as_of_date) as days_open,
        f.compensation_cost
    from filtered_contacts f, contacts_as_of a
    where f.is_complaint and f.resolved_date is null
)

select * from final order by contact_date, customer_id
