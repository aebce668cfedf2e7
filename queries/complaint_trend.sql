-- Contacts and complaints per period bucket ($grain: 'month' or 'quarter' of the contact date) and per
-- 1,000 customers active in that bucket (>= 1 order in the bucket, same segment/region).
-- Contact filters: docs/metrics.md#contact-filters. Parameters: $grain, $start, $end, $segments, $regions.
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

contact_buckets as (
    select
        cast(date_trunc(case when $grain = 'quarter' then 'quarter' else 'month' end, contact_date) as date) as period,
        count(*) as contacts,
        count(*) filter (where is_complaint) as complaints
    from filtered_contacts
    group by 1
),

active_buckets as (
    select
        cast(date_trunc(case when $grain = 'quarter' then 'quarter' else 'month' end, order_date) as date) as period,
        count(distinct customer_id) as active_customers
    from base_orders
    group by 1
),

final as (
    select
        period,
        coalesce(c.contacts, 0) as contacts,
        coalesce(c.complaints, 0) as complaints,
        coalesce(a.active_customers, 0) as active_customers,
        1000.0 * coalesce(c.contacts, 0) / nullif(a.active_customers, 0) as contacts_per_1000,
        1000.0 * coalesce(c.complaints, 0) / nullif(a.active_customers, 0) as complaints_per_1000
    from contact_buckets c
    full outer join active_buckets a using (period)
)

select * from final order by period
