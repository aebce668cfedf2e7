-- Complaint management KPIs for one period: contacts, complaints (type complaint / Beschwerde /
-- Reklamation), active customers (>= 1 order in the period, same segment/region), contacts and
-- complaints per 1,000 active customers, resolved complaints, median and 90th percentile of the days
-- from contact to resolution (resolved complaints; linear interpolation), share resolved within
-- $target_days (of the complaints that are resolved or whose deadline has passed by the as-of date),
-- open complaints (no resolved_date), total compensation and compensation per complaint.
-- Contact filters: docs/metrics.md#contact-filters.
-- Parameters: $target_days, $start, $end, $segments, $regions.
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

complaints as (
    select f.*, f.contact_date + $target_days <= a.as_of_date as deadline_passed
    from filtered_contacts f, contacts_as_of a
    where f.is_complaint
),

active as (
    select count(distinct customer_id) as active_customers from base_orders
),

complaint_figures as (
    select
        count(*) as complaints,
        count(resolved_date) as resolved,
        count(*) - count(resolved_date) as open_complaints,
        quantile_cont(days_to_resolution, 0.5) as median_days,
        quantile_cont(days_to_resolution, 0.9) as p90_days,
        count(*) filter (where days_to_resolution <= $target_days) as resolved_within_target,
        count(*) filter (where resolved_date is not null or deadline_passed) as due,
        coalesce(sum(compensation_cost), 0) as compensation
    from complaints
),

final as (
    select
        (select count(*) from filtered_contacts) as contacts,
        c.complaints,
        a.active_customers,
        1000.0 * (select count(*) from filtered_contacts) / nullif(a.active_customers, 0) as contacts_per_1000,
        1000.0 * c.complaints / nullif(a.active_customers, 0) as complaints_per_1000,
        c.resolved,
        c.open_complaints,
        c.median_days,
        c.p90_days,
        c.resolved_within_target,
        c.due,
        c.resolved_within_target / nullif(c.due, 0) as within_target_share,
        c.compensation,
        c.compensation / nullif(c.complaints, 0) as compensation_per_complaint
    from complaint_figures c, active a
)

select * from final
