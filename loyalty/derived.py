"""Tables derived from a contract table, built when that table is written and read by the views.

Why: every metric works on orders, and building orders from 10 M transaction lines costs seconds per
query. The store builds them once per write (in the same atomic manifest update), so pages read a
small, date-sorted Parquet file instead. The SQL is also the fallback view for workspaces without it.
Each SQL selects from a relation named `source` (all files of the contract table) and may select from
a derived table listed before it under its name (the store builds them in order; the fallback view of
the same name exists in every connection).
"""

from __future__ import annotations

# One row per order: a distinct order_id, or a distinct (customer_id, order_date) where order_id is
# empty. The order date is the earliest date of its rows (a later return line belongs to its order);
# revenue and margin are net of returns.
ORDERS_SQL = """
with keyed as (
    select *,
           coalesce(order_id, customer_id || '|' || strftime(order_date, '%Y-%m-%d')) as order_key
    from source
),

per_order as (
    select order_key,
           any_value(customer_id) as customer_id,
           min(order_date) as order_date,
           sum(revenue) as revenue,
           sum(margin) as margin,
           any_value(channel) as channel,
           any_value(store) as store,
           count(*) as lines
    from keyed
    group by order_key
),

-- the customer's attributes are stored with every order: joining them at query time cost about as
-- much as the aggregation itself (a write of `customers` rebuilds this table, see READS); customer_no is a
-- dense integer per customer: grouping millions of rows by it is about twice as fast as by the text id
customers_seen as (
    select c.customer_id, row_number() over (order by c.customer_id) as customer_no,
           a.segment, a.region, coalesce(a.loyalty_member, false) as loyalty_member
    from (select distinct customer_id from per_order) c
    left join customer_attributes a on a.customer_id = c.customer_id
),

final as (
    select o.*, c.segment, c.region, c.loyalty_member, c.customer_no
    from per_order o
    join customers_seen c on c.customer_id = o.customer_id
)

select * from final
"""

# One row per order and category (trimmed, '' = null) with the order's customer, date, channel, store and
# customer attributes (from `orders`, so both always agree): the lines of an order summed per category.
# Cross-buying reads it instead of joining 10 M transaction lines to their orders on every query.
ORDER_CATEGORIES_SQL = """
with per_order_category as (
    select coalesce(order_id, customer_id || '|' || strftime(order_date, '%Y-%m-%d')) as order_key,
           nullif(trim(category), '') as category,
           sum(revenue) as revenue, sum(margin) as margin, count(*) as lines
    from source
    group by 1, 2
),

final as (
    select p.order_key, o.customer_id, o.order_date, o.channel, o.store, p.category,
           p.revenue, p.margin, p.lines, o.segment, o.region, o.loyalty_member, o.customer_no
    from per_order_category p
    join orders o on o.order_key = p.order_key
)

select * from final
"""

# One row per customer with the attributes pages filter and split by (first value where a customer
# appears twice in the customers table).
CUSTOMER_ATTRIBUTES_SQL = """
with final as (
    select customer_id,
           any_value(segment) as segment,
           any_value(region) as region,
           coalesce(bool_or(loyalty_member), false) as loyalty_member,
           min(member_since) as member_since
    from source
    group by customer_id
)

select * from final
"""

# Bump when a derived table's SQL or columns change: workspaces written before are rebuilt
# (Workspace.rebuild_derived; the app does it on start) and read through the fallback views until then.
DERIVED_VERSION = 3

DERIVED: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    # contract table -> {derived name: (sql, sort columns)}
    "transactions": {"orders": (ORDERS_SQL, ("order_date", "customer_id")),
                     "order_categories": (ORDER_CATEGORIES_SQL, ("order_date", "customer_id"))},
    "customers": {"customer_attributes": (CUSTOMER_ATTRIBUTES_SQL, ("customer_id",))},
}

# Derived tables of another contract table that a table's derived SQL reads (derived name -> its table).
# A write or delete of that table rebuilds these derived tables too, in the same workspace version.
READS: dict[str, dict[str, str]] = {
    "transactions": {"customer_attributes": "customers"},
}
