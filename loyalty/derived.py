"""Tables derived from a contract table, built when that table is written and read by the views.

Why: every metric works on orders, and building orders from 10 M transaction lines costs seconds per
query. The store builds them once per write (in the same atomic manifest update), so pages read a
small, date-sorted Parquet file instead. The SQL is also the fallback view for workspaces without it.
Each SQL selects from a relation named `source` (all files of the contract table).
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

final as (
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

DERIVED: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    # contract table -> {derived name: (sql, sort columns)}
    "transactions": {"orders": (ORDERS_SQL, ("order_date", "customer_id"))},
    "customers": {"customer_attributes": (CUSTOMER_ATTRIBUTES_SQL, ("customer_id",))},
}
