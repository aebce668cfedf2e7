-- The targets as stored (table targets), for the editor: kpi, period_start, period_end, segment, target.
with final as (
    select kpi, period_start, period_end, segment, target
    from targets
)

select * from final order by period_start, period_end, kpi, segment nulls first
