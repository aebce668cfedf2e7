-- Bonus points per month of the selected period: points issued, redeemed and expired in the month and
-- the open balance at the month's end (all bookings up to then), as in queries/points_summary.sql.
-- Parameters: $start, $end, $segments, $regions.
with filtered_points as (
    select p.date, p.type,
           case when p.type = 'earn' then p.points else abs(p.points) end as amount
    from points p
    -- the attributes are needed only for a segment or region filter: without one, no join at all
    left join customer_attributes a
      on a.customer_id = p.customer_id
     and (len($segments) > 0 or len($regions) > 0)
    where p.date <= $end
      and (len($segments) = 0 or list_contains($segments, a.segment))
      and (len($regions) = 0 or list_contains($regions, a.region))
),

monthly as (
    select cast(date_trunc('month', date) as date) as month,
           coalesce(sum(amount) filter (where type = 'earn'), 0) as issued,
           coalesce(sum(amount) filter (where type = 'redeem'), 0) as redeemed,
           coalesce(sum(amount) filter (where type = 'expire'), 0) as expired,
           sum(case when type = 'earn' then amount else -amount end) as net
    from filtered_points
    group by cast(date_trunc('month', date) as date)
),

final as (
    select month, issued, redeemed, expired,
           sum(net) over (order by month rows between unbounded preceding and current row) as balance
    from monthly
)

select * from final where month >= cast(date_trunc('month', cast($start as date)) as date) order by month
