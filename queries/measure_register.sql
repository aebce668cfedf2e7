-- The register of measures with their participants: one row per measure (table measures) with
-- treatment participants, control customers and the total cost = fixed_cost + cost_per_participant x
-- treatment participants (missing costs count as 0). Definitions: docs/metrics.md#measures.
with participant_counts as (
    select measure_id,
           count(customer_id) filter (where assigned_group = 'treatment') as participants,
           count(customer_id) filter (where assigned_group = 'control') as control
    from (select distinct measure_id, assigned_group, customer_id from measure_participants) p
    group by measure_id
),

final as (
    select m.measure_id, m.name, m.instrument, m.start_date, m.end_date, m.target_segment,
           m.fixed_cost, m.cost_per_participant,
           coalesce(p.participants, 0) as participants,
           coalesce(p.control, 0) as control,
           coalesce(m.fixed_cost, 0) + coalesce(m.cost_per_participant, 0) * coalesce(p.participants, 0) as cost
    from measures m
    left join participant_counts p on p.measure_id = m.measure_id
)

select * from final order by start_date, measure_id
