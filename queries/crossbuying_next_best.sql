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
    select customer_id, category, revenue, lines
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

customer_categories as (
    select customer_id, category, sum(revenue) as category_revenue
    from order_lines
    where category is not null
    group by customer_id, category
    having round(sum(revenue), 2) > 0
),

category_buyers as (
    select count(distinct customer_id) as customers
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
    join customer_categories b on a.customer_id = b.customer_id and a.category < b.category
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
    select customer_id, count(*) as categories,
           array_to_string(list_sort(list(category)), ', ') as bought
    from customer_categories
    group by customer_id
),

candidates as (
    select c.customer_id, r.consequent, r.rule_rank
    from customer_categories c
    join customer_breadth b using (customer_id)
    join ranked_rules r on r.antecedent = c.category and r.rank_in_antecedent <= b.categories
    anti join customer_categories owned on owned.customer_id = c.customer_id and owned.category = r.consequent
),

best as (
    select customer_id, min(rule_rank) as rule_rank
    from candidates
    group by customer_id
),

final as (
    select
        best.customer_id,
        a.segment,
        cb.bought as bought_categories,
        b.consequent as next_category,
        b.antecedent as because_of,
        b.confidence,
        b.lift,
        b.revenue_per_buyer,
        b.confidence * b.revenue_per_buyer as expected_value
    from best
    join ranked_rules b using (rule_rank)
    join customer_breadth cb using (customer_id)
    left join customer_attributes a using (customer_id)
)

select * from final order by expected_value desc, customer_id
