-- How much of the workspace's transaction data carries a product category (whole workspace, no filters):
-- the page checks it before anything else and explains how to import `category` when it is all empty.
-- Columns: lines (transaction rows), lines_with_category (rows with a non-empty category),
-- categories (distinct non-empty categories), lines_with_product (rows with a product_id).
with final as (
    select
        count(*) as lines,
        count(nullif(trim(category), '')) as lines_with_category,
        count(distinct nullif(trim(category), '')) as categories,
        count(nullif(trim(product_id), '')) as lines_with_product
    from transactions
)

select * from final
