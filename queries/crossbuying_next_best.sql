-- Next best category per customer: among the categories the customer has not bought in the period, the
-- one with the highest confidence(A -> B) over the categories A the customer did buy (ties: higher lift,
-- then category names), with its expected value = confidence x average revenue per buyer of B (net
-- revenue in B in the period / customers who bought B). Rules and averages come from all category
-- buyers of the filters. A category counts for a customer when the customer's net revenue in it over
-- the filtered orders is > 0; a rule needs customers_both > 0, so customers who bought every category
-- with a rule are not listed. Because confidence decides first, a minimum confidence or a segment
-- choice is a plain row filter on this result (the page filters the rows).
-- For a customer with k categories only the k best rules of each bought category can hold the answer
-- (at most k - 1 of their targets are already bought), which keeps the candidate set small.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
with order_lines as (
    select customer_no, customer_id, segment, category, revenue
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

customer_categories as (
    select customer_no, category, sum(revenue) as category_revenue,
           any_value(customer_id) as customer_id, any_value(segment) as segment
    from order_lines
    where category is not null
    group by customer_no, category
    having round(sum(revenue), 2) > 0
),

category_buyers as (
    select count(distinct customer_no) as customers
    from customer_categories
),

category_stats as (
    select category, count(*) as customers, avg(category_revenue) as revenue_per_buyer
    from customer_categories
    group by category
),

pair_counts as (
    select a.category as category_a, b.category as category_b, count(*) as customers_both
    from customer_categories a
    join customer_categories b on a.customer_no = b.customer_no and a.category < b.category
    group by a.category, b.category
),

directed_pairs as (
    select category_a as antecedent, category_b as consequent, customers_both from pair_counts
    union all
    select category_b as antecedent, category_a as consequent, customers_both from pair_counts
),

rules as (
    select
        p.antecedent,
        p.consequent,
        p.customers_both / sa.customers as confidence,
        (p.customers_both / sa.customers) / (sb.customers / n.customers) as lift,
        sb.revenue_per_buyer
    from directed_pairs p
    join category_stats sa on sa.category = p.antecedent
    join category_stats sb on sb.category = p.consequent
    cross join category_buyers n
),

-- rule_rank orders all rules by the choice criteria (confidence, then lift, then names), so the best rule
-- of a customer is the one with the smallest rule_rank
ranked_rules as (
    select *,
           row_number() over (order by confidence desc, lift desc, consequent, antecedent) as rule_rank,
           row_number() over (partition by antecedent order by confidence desc, lift desc, consequent)
               as rank_in_antecedent
    from rules
),

customer_breadth as (
    select customer_no, any_value(customer_id) as customer_id, any_value(segment) as segment,
           count(*) as categories, list_sort(list(category)) as basket
    from customer_categories
    group by customer_no
),

-- customers with the same set of categories get the same offer: the best rule is found once per set
-- (few distinct sets, far fewer than customers), using one customer of the set as its representative
baskets as (
    select basket, any_value(categories) as categories, min(customer_no) as representative
    from customer_breadth
    group by basket
),

basket_categories as (
    select b.basket, c.category
    from baskets b
    join customer_categories c on c.customer_no = b.representative
),

candidates as (
    select bc.basket, r.consequent, r.rule_rank
    from basket_categories bc
    join baskets b on b.basket = bc.basket
    join ranked_rules r on r.antecedent = bc.category and r.rank_in_antecedent <= b.categories
    anti join basket_categories owned on owned.basket = bc.basket and owned.category = r.consequent
),

best as (
    select basket, min(rule_rank) as rule_rank
    from candidates
    group by basket
),

final as (
    select
        cb.customer_id,
        cb.segment,
        array_to_string(cb.basket, ', ') as bought_categories,
        r.consequent as next_category,
        r.antecedent as because_of,
        r.confidence,
        r.lift,
        r.revenue_per_buyer,
        r.confidence * r.revenue_per_buyer as expected_value
    from customer_breadth cb
    join best on best.basket = cb.basket
    join ranked_rules r on r.rule_rank = best.rule_rank
)

select * from final order by expected_value desc, customer_id
