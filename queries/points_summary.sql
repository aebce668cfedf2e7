-- Bonus points in the selected period (table points; segment and region filters apply through the
-- customer, channel and store do not): points issued (earn), redeemed, expired, their money value
-- (points x value_per_point, or x $value_per_point where the row has none), redemption rate =
-- redeemed / issued, breakage rate = expired / (redeemed + expired), and the open balance and
-- liability (issued - redeemed - expired up to the period end, valued the same way). Redeemed and
-- expired rows count with their absolute amount, whatever their sign; earn rows with their sign
-- (a negative earn is a correction). rows_without_value: bookings up to the period end without a
-- value_per_point (they use $value_per_point). Definitions: docs/metrics.md#measures.
-- Parameters: $start, $end, $segments, $regions, $value_per_point.
with filtered_points as (
    select p.date, p.type,
           case when p.type = 'earn' then p.points else abs(p.points) end as amount,
           coalesce(p.value_per_point, $value_per_point) as value_per_point,
           p.value_per_point is null as without_value
    from points p
    -- the attributes are needed only for a segment or region filter: without one, no join at all
    left join customer_attributes a
      on a.customer_id = p.customer_id
     and (len($segments) > 0 or len($regions) > 0)
    where p.date <= $end
      and (len($segments) = 0 or list_contains($segments, a.segment))
      and (len($regions) = 0 or list_contains($regions, a.region))
),

totals as (
    select
        coalesce(sum(amount) filter (where type = 'earn' and date >= $start), 0) as issued,
        coalesce(sum(amount) filter (where type = 'redeem' and date >= $start), 0) as redeemed,
        coalesce(sum(amount) filter (where type = 'expire' and date >= $start), 0) as expired,
        coalesce(sum(amount * value_per_point) filter (where type = 'earn' and date >= $start), 0) as issued_value,
        coalesce(sum(amount * value_per_point) filter (where type = 'redeem' and date >= $start), 0) as redeemed_value,
        coalesce(sum(amount * value_per_point) filter (where type = 'expire' and date >= $start), 0) as expired_value,
        coalesce(sum(case when type = 'earn' then amount else -amount end), 0) as open_points,
        coalesce(sum(case when type = 'earn' then amount else -amount end * value_per_point), 0) as open_liability,
        count(*) filter (where without_value) as rows_without_value
    from filtered_points
),

final as (
    select issued, redeemed, expired, issued_value, redeemed_value, expired_value,
           redeemed / nullif(issued, 0) as redemption_rate,
           expired / nullif(redeemed + expired, 0) as breakage_rate,
           open_points, open_liability, rows_without_value
    from totals
)

select * from final
