-- Evaluates every planned (KPI calculation, period) pair in one statement. Each distinct calculation
-- is resolved against the catalog once (kpi.resolve_calculation: plain name, schema kpi, (date, date),
-- numeric or kpi.ratio); only a resolved function is called, by its oid, through kpi.evaluate, which
-- catches an error of that one call. A name that does not resolve is an error on its KPIs alone.
with input as (
  select * from unnest(@indexes::integer[], @calculations::text[], @starts::date[], @ends::date[])
    as i (idx, calculation, period_start, period_end)
),
resolved as (
  select c.calculation, r.function_oid, r.returns_ratio, r.error,
    case when r.function_oid is not null then kpi.data_as_of(r.function_oid) end as data_as_of
  from (select distinct calculation from input) c
  cross join lateral kpi.resolve_calculation(c.calculation) r
)
select i.idx as "Index", e.value as "Value", e.numerator as "Numerator", e.denominator as "Denominator",
  coalesce(r.error, e.error) as "Error", r.data_as_of as "DataAsOf"
from input i
join resolved r using (calculation)
left join lateral kpi.evaluate(r.function_oid, r.returns_ratio, i.period_start, i.period_end) e on r.error is null
