-- Category migration of new customers: customers whose first purchase day (earliest order date in the
-- whole data, any channel) lies in the period and who have a filtered order on that day. Their entry
-- categories are the categories with net revenue > 0 on that day (filtered orders of the day); a
-- follow-up category is one with net revenue > 0 on a later day with filtered orders up to $end.
-- Per (entry_category, next_category), next_category may equal entry_category (bought again); an entry
-- category without any follow-up has one row with next_category NULL and customers 0:
-- entry_customers = new customers with that entry category;
-- followup_customers = those of them with any later counted category;
-- customers = those of them who later bought next_category; share = customers / entry_customers;
-- median_days = median days from the first purchase day to the first later day with next_category.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).
with first_days as (
    select customer_no, min(order_date) as first_day
    from orders
    group by customer_no
),

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
period_lines as (
    select customer_no, order_date, category, revenue
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

-- those of customers first seen in the period
order_lines as (
    select l.customer_no, l.order_date, f.first_day, l.category, l.revenue
    from period_lines l
    join first_days f on f.customer_no = l.customer_no and f.first_day >= $start
),

day_categories as (
    select customer_no, order_date, first_day, category
    from order_lines
    where category is not null
    group by customer_no, order_date, first_day, category
    having round(sum(revenue), 2) > 0
),

entries as (
    select customer_no, first_day, category as entry_category
    from day_categories
    where order_date = first_day
),

followups as (
    select customer_no, category as next_category, min(order_date) as next_day
    from day_categories
    where order_date > first_day
    group by customer_no, category
),

entry_totals as (
    select e.entry_category,
           count(*) as entry_customers,
           count(*) filter (where e.customer_no in (select customer_no from followups)) as followup_customers
    from entries e
    group by e.entry_category
),

transitions as (
    select e.entry_category, f.next_category,
           count(*) as customers,
           median(date_diff('day', e.first_day, f.next_day)) as median_days
    from entries e
    join followups f using (customer_no)
    group by e.entry_category, f.next_category
),

final as (
    select
        e.entry_category,
        t.next_category,
        e.entry_customers,
        e.followup_customers,
        coalesce(t.customers, 0) as customers,
        coalesce(t.customers, 0) / e.entry_customers as share,
        t.median_days
    from entry_totals e
    left join transitions t using (entry_category)
)

select * from final order by entry_category, share desc, next_category
