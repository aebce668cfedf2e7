-- First and last response date of the survey answers and their number (the default period of
-- `python -m loyalty nps`).
with final as (
    select min(response_date) as first_date, max(response_date) as last_date, count(*) as answers
    from surveys
)

select * from final
