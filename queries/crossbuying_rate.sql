-- Cross-buying rate and categories per customer for one period and filter.
-- A category counts for a customer when the customer's net revenue in that category over the lines of
-- the filtered orders is > 0 (rounded to cents): a fully returned category does not count.
-- Category buyers = active customers with >= 1 counted category (the base of every cross-buying metric).
-- cross_buying_rate = customers with >= 2 categories / category buyers;
-- categories_per_customer = mean number of counted categories per category buyer (median alongside).
-- lines / lines_without_category: transaction rows of the filtered orders and those without a category.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).

-- One pass over the lines: every order has at least one row in order_categories (its lines without
-- category have category null), so the active customers are the customers of these rows.
with order_lines as (
    select customer_no, category, revenue, lines
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

customer_category_totals as (
    select customer_no, category, sum(revenue) as revenue, sum(lines) as lines,
           category is not null and round(sum(revenue), 2) > 0 as counted
    from order_lines
    group by customer_no, category
),

per_customer as (
    select customer_no,
           count(*) filter (where counted) as categories,
           sum(lines) as lines,
           coalesce(sum(lines) filter (where category is null), 0) as lines_without_category
    from customer_category_totals
    group by customer_no
),

breadth as (
    select categories from per_customer where categories >= 1
),

final as (
    select
        (select count(*) from per_customer) as active_customers,
        count(*) as category_buyers,
        count(*) filter (where categories >= 2) as cross_buyers,
        count(*) filter (where categories >= 2) / nullif(count(*), 0) as cross_buying_rate,
        avg(categories) as categories_per_customer,
        median(categories) as median_categories_per_customer,
        (select count(distinct category) from customer_category_totals where counted) as categories,
        (select cast(coalesce(sum(lines), 0) as bigint) from per_customer) as lines,
        (select cast(coalesce(sum(lines_without_category), 0) as bigint) from per_customer)
            as lines_without_category
    from breadth
)

select * from final
