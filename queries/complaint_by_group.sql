-- Contacts and complaints per contact channel ($by = 'channel': phone, email, letter, chat, store, ...)
-- or reason ($by = 'reason'), with complaints per 1,000 active customers of the period (same
-- segment/region), median / 90th percentile days to resolution, share resolved within $target_days
-- (as in complaint_kpis.sql), open complaints and compensation. A group is null where the column is empty.
-- Contact filters: docs/metrics.md#contact-filters.
-- Parameters: $by, $target_days, $start, $end, $segments, $regions.
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

active as (
    select count(distinct customer_id) as active_customers from base_orders
),

grouped as (
    select
        case when $by = 'reason' then f.reason else f.channel end as grp,
        f.*,
        f.contact_date + $target_days <= a.as_of_date as deadline_passed
    from filtered_contacts f, contacts_as_of a
),

final as (
    select
        g.grp,
        count(*) as contacts,
        count(*) filter (where g.is_complaint) as complaints,
        1000.0 * count(*) filter (where g.is_complaint) / nullif(any_value(a.active_customers), 0) as complaints_per_1000,
        quantile_cont(g.days_to_resolution, 0.5) filter (where g.is_complaint) as median_days,
        quantile_cont(g.days_to_resolution, 0.9) filter (where g.is_complaint) as p90_days,
        count(*) filter (where g.is_complaint and g.days_to_resolution <= $target_days)
            / nullif(count(*) filter (where g.is_complaint and (g.resolved_date is not null or g.deadline_passed)), 0)
            as within_target_share,
        count(*) filter (where g.is_complaint and g.resolved_date is null) as open_complaints,
        coalesce(sum(g.compensation_cost) filter (where g.is_complaint), 0) as compensation,
        coalesce(sum(g.compensation_cost) filter (where g.is_complaint), 0)
            / nullif(count(*) filter (where g.is_complaint), 0) as compensation_per_complaint
    from grouped g, active a
    group by g.grp
)

select * from final order by complaints desc, contacts desc, grp nulls last
