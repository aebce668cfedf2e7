-- Recovery after a complaint: repurchase in the 12 months after the complaint for customers whose complaint
-- was resolved ('resolved': resolved_date filled) or not ('unresolved'), against customers without complaint
-- ('no_complaint'). Complainants: each known customer's first complaint in the period whose follow-up is
-- complete (contact date + 365 days <= the last order date in the data); anchor = contact date.
-- No complaint: customers with an order in the period (first such order with complete follow-up is the
-- anchor) and no complaint in the data up to anchor + 365 days. Follow-up = orders (all channels) in
-- (anchor, anchor + 365 days]. Per group: customers, repurchasers (>= 1 order), repurchase_rate, orders
-- and revenue per customer, and compensation per complaint (compensation of the complaint, empty = 0).
-- Contact filters: docs/metrics.md#contact-filters. Parameters: $start, $end, $segments, $regions.
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

data_end as (
    select max(order_date) as last_day from transactions
),

complainants as (
    select
        f.customer_id,
        f.contact_date as anchor_date,
        case when f.resolved_date is not null then 'resolved' else 'unresolved' end as grp,
        coalesce(f.compensation_cost, 0) as compensation
    from filtered_contacts f, data_end d
    where f.is_complaint and f.customer_id is not null and f.contact_date + 365 <= d.last_day
    qualify row_number() over (partition by f.customer_id order by f.contact_date, f.resolved_date nulls last) = 1
),

-- every order once (the follow-up and the no-complaint anchors both read it)
all_orders as materialized (
    select customer_id, order_key, order_date, revenue, segment, region from orders
),

first_complaint as (
    select customer_id, min(contact_date) as first_complaint_date
    from contacts
    where lower(trim(type)) in ('complaint', 'beschwerde', 'reklamation') and customer_id is not null
    group by customer_id
),

non_complainants as (
    select a.customer_id, a.anchor_date, 'no_complaint' as grp, cast(null as double) as compensation
    from (
        select o.customer_id, min(o.order_date) as anchor_date
        from all_orders o, data_end d
        where o.order_date between $start and $end
          and o.order_date + 365 <= d.last_day
          and (len($segments) = 0 or list_contains($segments, o.segment))
          and (len($regions) = 0 or list_contains($regions, o.region))
        group by o.customer_id
    ) a
    left join first_complaint f on f.customer_id = a.customer_id
    where f.first_complaint_date is null or f.first_complaint_date > a.anchor_date + 365
),

anchors as (
    select * from complainants
    union all
    select * from non_complainants
),

followup as (
    select
        a.customer_id,
        a.grp,
        a.compensation,
        count(o.order_key) as orders,
        coalesce(sum(o.revenue), 0) as revenue
    from anchors a
    left join all_orders o
      on o.customer_id = a.customer_id
     and o.order_date > a.anchor_date
     and o.order_date <= a.anchor_date + 365
    group by a.customer_id, a.grp, a.compensation
),

final as (
    select
        grp,
        count(*) as customers,
        count(*) filter (where orders >= 1) as repurchasers,
        count(*) filter (where orders >= 1) / count(*) as repurchase_rate,
        sum(orders) / count(*) as orders_per_customer,
        sum(revenue) / count(*) as revenue_per_customer,
        avg(compensation) as compensation_per_complaint
    from followup
    group by grp
)

select * from final order by grp
