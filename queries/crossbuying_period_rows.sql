-- Whether the period and filters have anything for the cross-buying page, without grouping per customer:
-- order_rows = order-category rows of the filtered orders (order_categories: every order has at least one,
-- so 0 = no purchase at all); category_rows = those with a category and net revenue > 0 in the order.
-- No category row means no category buyer; the reverse fails only where every category a customer bought
-- nets to <= 0 over several orders, which the tabs report themselves (the rate: crossbuying_breadth.sql).
-- Parameters: $start, $end (inclusive), $segments, $regions, $channels, $stores (empty list = all).
with order_lines as (
    select category, revenue
    from order_categories
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

final as (
    select count(*) as order_rows,
           count(*) filter (where category is not null and round(revenue, 2) > 0) as category_rows
    from order_lines
)

select * from final
