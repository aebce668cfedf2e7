-- Next best category per customer: among the categories the customer has not bought in the period, the
-- one with the highest confidence(A -> B) over the categories A the customer did buy (ties: higher lift,
-- then category names), with its expected value = confidence x average revenue per buyer of B (net
-- revenue in B in the period / customers who bought B). Rules and averages come from all category
-- buyers of the filters. A category counts for a customer when the customer's net revenue in it over
-- the filtered orders is > 0; a rule needs customers_both > 0, so customers who bought every category
-- with a rule are not listed. Because confidence decides first, a minimum confidence or a segment
-- choice is a plain row filter on this result (the page filters the rows).
-- Customers with the same set of bought categories (basket) get the same offer, and there are few
-- distinct sets: the rule counts (buyers per category, customers with both categories) are sums over
-- the sets, and the best rule is found once per set. For a set of k categories only the k best rules of
-- each of its categories can hold the answer (at most k - 1 of their targets are already bought), which
-- keeps the candidate set small.
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).

-- the lines of the filtered orders, summed per order and category (derived table order_categories)
with order_lines as (
    select customer_no, category, revenue
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

-- the categories numbered 1, 2, ... in name order: category idx is bit idx - 1 of a customer's mask below
category_index as (
    select category, row_number() over (order by category) as idx
    from (select distinct category from order_categories where category is not null)
),

-- the same names as a sorted list: array_position(names, category) = idx, without a join per row
category_names as (
    select list_sort(list(category)) as names from category_index
),

customer_categories as (
    select customer_no, category, sum(revenue) as category_revenue
    from order_lines
    where category is not null
    group by customer_no, category
    having round(sum(revenue), 2) > 0
),

-- one aggregation gives both the set of categories per customer (per_category = 0: a bit mask, far
-- cheaper than a list per customer, plus a list only for categories beyond the 63rd) and the buyers and
-- revenue per category (per_category = 1): each customer-category row goes into both groups, so its
-- millions of rows are not stored for a second pass
summaries as (
    select g.per_category,
           case when g.per_category = 0 then c.customer_no else c.idx end as id,
           -- % 63: the shift is also computed for the rows the filter drops
           bit_or(1::bigint << ((c.idx - 1) % 63)::integer) filter (where c.idx <= 63) as mask,
           list_sort(list(c.idx) filter (where c.idx > 63)) as more,
           count(*) as customers,
           avg(c.category_revenue) as revenue_per_buyer
    from (
        select cc.customer_no, array_position(n.names, cc.category) as idx, cc.category_revenue
        from customer_categories cc
        cross join category_names n
    ) c
    cross join (values (0), (1)) as g(per_category)
    group by g.per_category, id
),

customer_baskets as (
    select id as customer_no, mask, more
    from summaries
    where per_category = 0
),

category_stats as (
    select i.category, s.customers, s.revenue_per_buyer
    from summaries s
    join category_index i on i.idx = s.id
    where s.per_category = 1
),

-- the distinct sets of categories (few, even with many customers), numbered
baskets as (
    select mask, more, count(*) as customers, row_number() over (order by mask, more) as basket
    from customer_baskets
    group by mask, more
),

basket_categories as (
    select k.basket, k.customers, i.category
    from baskets k
    join category_index i
      on (i.idx <= 63 and k.mask & (1::bigint << ((i.idx - 1) % 63)::integer) <> 0)
      or list_contains(k.more, i.idx)
),

basket_lists as (
    select basket, count(*) as categories, list_sort(list(category)) as bought
    from basket_categories
    group by basket
),

category_buyers as (
    select sum(customers) as customers
    from baskets
),

pair_counts as (
    select a.category as category_a, b.category as category_b, sum(a.customers)::bigint as customers_both
    from basket_categories a
    join basket_categories b on a.basket = b.basket and a.category < b.category
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
-- of a basket is the one with the smallest rule_rank
ranked_rules as (
    select *,
           row_number() over (order by confidence desc, lift desc, consequent, antecedent) as rule_rank,
           row_number() over (partition by antecedent order by confidence desc, lift desc, consequent)
               as rank_in_antecedent
    from rules
),

candidates as (
    select bc.basket, r.consequent, r.rule_rank
    from basket_categories bc
    join basket_lists b on b.basket = bc.basket
    join ranked_rules r on r.antecedent = bc.category and r.rank_in_antecedent <= b.categories
    anti join basket_categories owned on owned.basket = bc.basket and owned.category = r.consequent
),

best as (
    select basket, min(rule_rank) as rule_rank
    from candidates
    group by basket
),

offers as (
    select
        k.mask,
        k.more,
        array_to_string(bl.bought, ', ') as bought_categories,
        r.consequent as next_category,
        r.antecedent as because_of,
        r.confidence,
        r.lift,
        r.revenue_per_buyer,
        r.confidence * r.revenue_per_buyer as expected_value
    from best
    join baskets k on k.basket = best.basket
    join basket_lists bl on bl.basket = best.basket
    join ranked_rules r on r.rule_rank = best.rule_rank
),

-- customer_id and segment are the same on all orders of a customer: looked up once per customer, which
-- costs less than carrying them through the customer-category sums
customer_lookup as (
    select customer_no, any_value(customer_id) as customer_id, any_value(segment) as segment
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
    group by customer_no
),

final as (
    select
        c.customer_id,
        c.segment,
        o.bought_categories,
        o.next_category,
        o.because_of,
        o.confidence,
        o.lift,
        o.revenue_per_buyer,
        o.expected_value
    from customer_baskets cb
    -- null-safe: `more` is null unless a customer has a category beyond the 63rd
    join offers o on o.mask is not distinct from cb.mask and o.more is not distinct from cb.more
    join customer_lookup c on c.customer_no = cb.customer_no
)

select * from final order by expected_value desc, customer_id
