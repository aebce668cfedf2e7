-- First and last order date in the workspace and the number of transaction rows.
with final as (
    select min(order_date) as first_date, max(order_date) as last_date, count(*) as rows
    from transactions
)

select * from final
