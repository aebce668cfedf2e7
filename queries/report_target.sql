-- The target of one KPI for exactly the report period, for one segment or (segment null) all customers.
-- Parameters: $kpi, $start, $end, $segment (null = the all-customer target).
with matching as (
    select target
    from targets
    where kpi = $kpi
      and period_start = $start
      and period_end = $end
      and (segment is not distinct from $segment)
),

final as (
    select max(target) as target from matching having count(*) > 0
)

select * from final
