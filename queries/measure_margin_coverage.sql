-- How much of the revenue carries a margin: orders, orders with a margin (margin not null) and their
-- share. Where the share is below 1, measures use revenue x margin rate for the orders without one.
with final as (
    select count(*) as orders,
           count(margin) as orders_with_margin,
           count(margin) / nullif(count(*), 0) as share_with_margin
    from orders
)

select * from final
