-- Cross-buying rate and categories per customer for one period and filter.
-- A category counts for a customer when the customer's net revenue in that category over the lines of
-- the filtered orders is > 0 (rounded to cents): a fully returned category does not count.
-- Category buyers = active customers with >= 1 counted category (the base of every cross-buying metric).
-- cross_buying_rate = customers with >= 2 categories / category buyers;
-- categories_per_customer = mean number of counted categories per category buyer (median alongside).
-- lines / lines_without_category: transaction rows of the filtered orders and those without a category.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).
with filtered_orders as (
    select *
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

-- the rows of the filtered orders (order key as in the `orders` view of loyalty/db.py); a row's date is
-- never before its order's date, so rows before $start cannot belong to a filtered order
order_lines as (
    select fo.customer_id, nullif(trim(t.category), '') as category, t.revenue
    from transactions t
    join filtered_orders fo
      on fo.order_key = coalesce(t.order_id, t.customer_id || '|' || strftime(t.order_date, '%Y-%m-%d'))
    where t.order_date >= $start
),

customer_categories as (
    select customer_id, category
    from order_lines
    where category is not null
    group by customer_id, category
    having round(sum(revenue), 2) > 0
),

breadth as (
    select customer_id, count(*) as categories
    from customer_categories
    group by customer_id
),

final as (
    select
        (select count(distinct customer_id) from filtered_orders) as active_customers,
        count(*) as category_buyers,
        count(*) filter (where categories >= 2) as cross_buyers,
        count(*) filter (where categories >= 2) / nullif(count(*), 0) as cross_buying_rate,
        avg(categories) as categories_per_customer,
        median(categories) as median_categories_per_customer,
        (select count(distinct category) from customer_categories) as categories,
        (select count(*) from order_lines) as lines,
        (select count(*) from order_lines where category is null) as lines_without_category
    from breadth
)

select * from final
