-- Category affinity at customer level within the period, one row per ordered pair (A, B), A <> B, both
-- directions (every pair of categories bought by anyone in the period, also with customers_both = 0).
-- A category counts for a customer when the customer's net revenue in it over the filtered orders is > 0.
-- customers_both = category buyers with A and B; support = customers_both / category buyers;
-- confidence = customers_both / customers with A (share of A-buyers who also bought B);
-- lift = confidence / (customers with B / category buyers) (1 = no affinity, > 1 = bought together
-- more often than by chance). Computed with a distinct (customer, category) set self-joined on the
-- customer with A < B, so the cost grows with category pairs per customer, not with pairs x customers.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
with order_lines as (
    select customer_no, category, revenue, lines
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

customer_categories as (
    select customer_no, category
    from order_lines
    where category is not null
    group by customer_no, category
    having round(sum(revenue), 2) > 0
),

category_buyers as (
    select count(distinct customer_no) as customers
    from customer_categories
),

category_customers as (
    select category, count(*) as customers
    from customer_categories
    group by category
),

pair_counts as (
    select a.category as category_a, b.category as category_b, count(*) as customers_both
    from customer_categories a
    join customer_categories b on a.customer_no = b.customer_no and a.category < b.category
    group by a.category, b.category
),

ordered_pairs as (
    select a.category as category_a, b.category as category_b,
           a.customers as customers_a, b.customers as customers_b,
           coalesce(p.customers_both, 0) as customers_both
    from category_customers a
    join category_customers b on a.category <> b.category
    left join pair_counts p
      on p.category_a = least(a.category, b.category) and p.category_b = greatest(a.category, b.category)
),

final as (
    select
        o.category_a,
        o.category_b,
        o.customers_a,
        o.customers_b,
        o.customers_both,
        o.customers_both / n.customers as support,
        o.customers_both / o.customers_a as confidence,
        (o.customers_both / o.customers_a) / (o.customers_b / n.customers) as lift
    from ordered_pairs o
    cross join category_buyers n
)

select * from final order by lift desc, customers_both desc, category_a, category_b
