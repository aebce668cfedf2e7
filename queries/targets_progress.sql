-- Actual value of every target's KPI for the target's period and segment (segment null = all customers),
-- up to $as_of (the last day with data): one row per (target, cutoff). Finished and running targets
-- have the cutoff min(period_end, $as_of); running targets (period_start <= $as_of < period_end) also
-- every month end in between, for the linear projection to the period end. Targets that have not
-- started have no row. KPI definitions: active_customers, orders, revenue, avg_order_value,
-- repeat_purchase_rate, orders_per_customer as queries/kpis.sql over [period_start, cutoff];
-- cross_buying_rate as the cross-buying page (category buyers with >= 2 counted categories, see
-- queries/crossbuying_breadth.sql);
-- churn_rate = share of the customers active in the equally long window just before period_start
-- without an order in [period_start, cutoff]; nps = % promoters (9-10) - % detractors (0-6) of the
-- answers with nps (-100..100); csat = mean csat (1-5). Definitions: docs/metrics.md#targets.
-- Parameters: $as_of; $containing: only the targets whose period contains this date (null = all targets;
-- the cockpit shows only those, and skipping the others saves scanning years of orders). target_id is
-- the same with and without $containing.
with numbered_targets as (
    select row_number() over (order by kpi, period_start, period_end, segment, target) as target_id,
           kpi, period_start, period_end, segment, target
    from targets
),

target_rows as (
    select *
    from numbered_targets
    where cast($containing as date) is null
       or (period_start <= cast($containing as date) and period_end >= cast($containing as date))
),

month_ends as (
    select cast(month_start + interval 1 month - interval 1 day as date) as month_end
    from (
        select unnest(generate_series(cast(date_trunc('month', min(period_start)) as date),
                                      cast($as_of as date), interval 1 month)) as month_start
        from target_rows
    ) months
),

cutoffs as (
    select target_id, kpi, segment, period_start, least(period_end, cast($as_of as date)) as cutoff
    from target_rows
    where period_start <= $as_of
    union
    select t.target_id, t.kpi, t.segment, t.period_start, m.month_end
    from target_rows t
    join month_ends m on m.month_end >= t.period_start and m.month_end < $as_of and m.month_end < t.period_end
    where t.period_end > $as_of
),

sales_windows as (
    select distinct period_start, cutoff from cutoffs
    where kpi in ('active_customers', 'orders', 'revenue', 'avg_order_value', 'repeat_purchase_rate',
                  'orders_per_customer')
),

sales_per_customer as (
    select w.period_start, w.cutoff, o.customer_id, any_value(o.segment) as segment,
           count(*) as orders, sum(o.revenue) as revenue
    from sales_windows w
    join orders o on o.order_date between w.period_start and w.cutoff
    group by w.period_start, w.cutoff, o.customer_id
),

sales as (
    select period_start, cutoff, segment, grouping(segment) as is_total,
           cast(count(*) as double) as active_customers,
           cast(sum(orders) as double) as orders,
           sum(revenue) as revenue,
           sum(revenue) / nullif(sum(orders), 0) as avg_order_value,
           count(*) filter (where orders >= 2) / nullif(count(*), 0) as repeat_purchase_rate,
           sum(orders) / nullif(count(*), 0) as orders_per_customer
    from sales_per_customer
    group by grouping sets ((period_start, cutoff, segment), (period_start, cutoff))
),

cross_windows as (
    select distinct period_start, cutoff from cutoffs where kpi = 'cross_buying_rate'
),

-- counted categories as in queries/crossbuying_breadth.sql: net revenue > 0 over the window's orders
cross_categories as (
    select w.period_start, w.cutoff, c.customer_no, c.category, any_value(c.segment) as segment
    from cross_windows w
    join order_categories c on c.order_date between w.period_start and w.cutoff
    where c.category is not null
    group by w.period_start, w.cutoff, c.customer_no, c.category
    having round(sum(c.revenue), 2) > 0
),

cross_per_customer as (
    select period_start, cutoff, customer_no, any_value(segment) as segment, count(*) as categories
    from cross_categories
    group by period_start, cutoff, customer_no
),

cross_buying as (
    select period_start, cutoff, segment, grouping(segment) as is_total,
           count(*) filter (where categories >= 2) / nullif(count(*), 0) as cross_buying_rate
    from cross_per_customer
    group by grouping sets ((period_start, cutoff, segment), (period_start, cutoff))
),

churn_windows as (
    select distinct period_start, cutoff,
           period_start - cast(date_diff('day', period_start, cutoff) + 1 as integer) as previous_start
    from cutoffs where kpi = 'churn_rate'
),

churn_per_customer as (
    select w.period_start, w.cutoff, o.customer_id, any_value(o.segment) as segment,
           bool_or(o.order_date >= w.period_start) as stayed
    from churn_windows w
    join orders o on o.order_date >= w.previous_start and o.order_date <= w.cutoff
    group by w.period_start, w.cutoff, o.customer_id
    having bool_or(o.order_date < w.period_start)
),

churn as (
    select period_start, cutoff, segment, grouping(segment) as is_total,
           count(*) filter (where not stayed) / nullif(count(*), 0) as churn_rate
    from churn_per_customer
    group by grouping sets ((period_start, cutoff, segment), (period_start, cutoff))
),

survey_windows as (
    select distinct period_start, cutoff from cutoffs where kpi in ('nps', 'csat')
),

survey_answers as (
    select w.period_start, w.cutoff, a.segment, s.nps, s.csat
    from survey_windows w
    join surveys s on s.response_date between w.period_start and w.cutoff
    left join customer_attributes a on a.customer_id = s.customer_id
),

satisfaction as (
    select period_start, cutoff, segment, grouping(segment) as is_total,
           100.0 * (count(*) filter (where nps >= 9) - count(*) filter (where nps <= 6)) / nullif(count(nps), 0)
               as nps,
           avg(csat) as csat
    from survey_answers
    group by grouping sets ((period_start, cutoff, segment), (period_start, cutoff))
),

final as (
    select c.target_id, t.kpi, t.period_start, t.period_end, t.segment, t.target, c.cutoff,
           case t.kpi
               when 'active_customers' then s.active_customers
               when 'orders' then coalesce(s.orders, 0)
               when 'revenue' then coalesce(s.revenue, 0)
               when 'avg_order_value' then s.avg_order_value
               when 'repeat_purchase_rate' then s.repeat_purchase_rate
               when 'orders_per_customer' then s.orders_per_customer
               when 'cross_buying_rate' then x.cross_buying_rate
               when 'churn_rate' then ch.churn_rate
               when 'nps' then sa.nps
               when 'csat' then sa.csat
           end as actual
    from cutoffs c
    join target_rows t on t.target_id = c.target_id
    left join sales s
      on s.period_start = c.period_start and s.cutoff = c.cutoff
     and ((c.segment is null and s.is_total = 1) or (s.is_total = 0 and s.segment = c.segment))
    left join cross_buying x
      on x.period_start = c.period_start and x.cutoff = c.cutoff
     and ((c.segment is null and x.is_total = 1) or (x.is_total = 0 and x.segment = c.segment))
    left join churn ch
      on ch.period_start = c.period_start and ch.cutoff = c.cutoff
     and ((c.segment is null and ch.is_total = 1) or (ch.is_total = 0 and ch.segment = c.segment))
    left join satisfaction sa
      on sa.period_start = c.period_start and sa.cutoff = c.cutoff
     and ((c.segment is null and sa.is_total = 1) or (sa.is_total = 0 and sa.segment = c.segment))
)

select * from final order by target_id, cutoff
