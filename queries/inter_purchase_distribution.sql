-- Distribution of the inter-purchase time: days between consecutive orders of the same customer, in
-- bins of $bin_days days (bin_start = 0 holds 0 .. $bin_days - 1 days). A gap belongs to the period when
-- its later order falls in [$start, $end]; the earlier order may lie before $start (so long gaps are not
-- cut off at the period start). Only orders matching the dimension filters count (a channel filter gives
-- the time between orders in that channel). Two orders on the same day give a gap of 0 days.
-- Parameters: $bin_days, $start, $end, $segments, $regions, $channels, $stores.
with previous_before_period as (
    -- each customer's last order before the period (shared filters): the start of their first gap in it;
    -- customer_no is the integer customer key
    select customer_no, max(order_date) as previous_order_date
    from orders
    where order_date < $start
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
    group by customer_no
),

period_orders as (
    -- the shared filters
    select customer_no, order_date
    from orders
    where order_date between $start and $end
      and (len($segments) = 0 or list_contains($segments, segment))
      and (len($regions) = 0 or list_contains($regions, region))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stores) = 0 or list_contains($stores, store))
),

gaps as (
    -- the previous order of each order in the period (orders on one day are consecutive in any order: the
    -- gaps are the same as when ordered by order key)
    select
        date_diff('day',
                  coalesce(lag(o.order_date) over (partition by o.customer_no order by o.order_date),
                           p.previous_order_date),
                  o.order_date) as gap_days
    from period_orders o
    left join previous_before_period p on p.customer_no = o.customer_no
),

final as (
    select
        cast(floor(gap_days / $bin_days) * $bin_days as integer) as bin_start,
        count(*) as gaps
    from gaps
    where gap_days is not null
    group by bin_start
)

select * from final order by bin_start
