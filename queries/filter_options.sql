-- Distinct values offered in the sidebar filters, one row per (dimension, value): segments and regions
-- of the customers, channels and stores of the orders (the filters apply to an order's channel and store).
with final as (
    select distinct 'segments' as dimension, segment as value from customers where segment is not null
    union all
    select distinct 'regions', region from customers where region is not null
    union all
    select distinct 'channels', channel from orders where channel is not null
    union all
    select distinct 'stores', store from orders where store is not null
)

select * from final order by dimension, value
