-- Distinct values offered in the sidebar filters, one row per (dimension, value).
with final as (
    select distinct 'segments' as dimension, segment as value from customers where segment is not null
    union all
    select distinct 'regions', region from customers where region is not null
    union all
    select distinct 'channels', channel from transactions where channel is not null
    union all
    select distinct 'stores', store from transactions where store is not null
)

select * from final order by dimension, value
