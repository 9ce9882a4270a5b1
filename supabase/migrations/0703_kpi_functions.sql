-- The functions KPI definitions name in kpi_metrics.calculation. Fixed signature:
--   kpi.<name>(period_start date, period_end date) returns numeric      (a value)
--   kpi.<name>(period_start date, period_end date) returns kpi.ratio    (numerator, denominator)
-- Both dates inclusive. A period without data returns null (no data), not zero. SQL-standard bodies
-- (RETURN ...), so PostgreSQL records which views each function reads (pg_depend): that is how a
-- snapshot knows the as-of time of the data behind it.
--
-- A definition's calculation is resolved against the catalog (kpi.resolve_calculation) and called by
-- its resolved oid (kpi.evaluate); it is never executed as SQL text.

-- Sales
create function kpi.sales_won_value(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(won_value) from kpi.sales_daily where day between period_start and period_end);

create function kpi.sales_new_leads(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(new_leads) from kpi.sales_daily where day between period_start and period_end);

create function kpi.sales_activities(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(activities) from kpi.sales_daily where day between period_start and period_end);

create function kpi.sales_win_rate(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(sum(won_count), nullif(sum(won_count + lost_count), 0))::kpi.ratio
        from kpi.sales_daily where day between period_start and period_end);

-- A level: the open pipeline at the end of the period's last day.
create function kpi.sales_open_pipeline_value(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(open_value) from kpi.sales_pipeline_daily where day = period_end);

-- Marketing
create function kpi.marketing_leads(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(leads) from kpi.marketing_channel_daily where day between period_start and period_end);

create function kpi.marketing_cost_per_lead(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(sum(cost), nullif(sum(leads_with_cost), 0))::kpi.ratio
        from kpi.marketing_channel_daily where day between period_start and period_end);

create function kpi.marketing_sessions(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(sessions) from kpi.marketing_daily where day between period_start and period_end);

create function kpi.marketing_conversion_rate(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(sum(conversions), nullif(sum(visits), 0))::kpi.ratio
        from kpi.marketing_daily where day between period_start and period_end);

-- Users are distinct per day and never summed into a period total: this is the average of the
-- days' distinct users (sum of daily users / days with data), labelled as such.
create function kpi.marketing_average_daily_users(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(sum(users), nullif(count(users), 0))::kpi.ratio
        from kpi.marketing_daily where day between period_start and period_end);

-- ROI of the period's marketing: (value now won of the leads created in the period - cost) / cost,
-- the cohort measure of v_marketing_overview.
create function kpi.marketing_roi(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(r.won - c.cost, nullif(c.cost, 0))::kpi.ratio
        from (select coalesce(sum(cohort_won_value), 0) as won from kpi.sales_daily where day between period_start and period_end) r,
             (select sum(cost) as cost from kpi.marketing_channel_daily where day between period_start and period_end) c);

-- Operations
create function kpi.ops_open_backlog(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select open_backlog from kpi.ops_daily where day = period_end);

create function kpi.ops_tickets_closed(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(closed) from kpi.ops_daily where day between period_start and period_end);

create function kpi.ops_sla_compliance(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(sum(within_sla), nullif(sum(within_sla + sla_breaches), 0))::kpi.ratio
        from kpi.ops_daily where day between period_start and period_end);

create function kpi.ops_average_resolution_hours(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(sum(resolution_hours), nullif(sum(resolution_count), 0))::kpi.ratio
        from kpi.ops_daily where day between period_start and period_end);

-- Finance
create function kpi.finance_revenue(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(revenue) from kpi.finance_daily where day between period_start and period_end);

create function kpi.finance_expenses(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select sum(expenses) from kpi.finance_daily where day between period_start and period_end);

create function kpi.finance_gross_margin(period_start date, period_end date) returns kpi.ratio
language sql stable parallel safe
return (select row(sum(margin_revenue - margin_cogs), nullif(sum(margin_revenue), 0))::kpi.ratio
        from kpi.finance_daily where day between period_start and period_end);

create function kpi.finance_ar_90_plus(period_start date, period_end date) returns numeric
language sql stable parallel safe
return (select amount_due from kpi.finance_ar_daily where day = period_end and bucket = '90+');

-- Resolves a definition's calculation to a function: only a plain lower-case name, only in schema
-- kpi, only with exactly the arguments (date, date), only returning numeric or kpi.ratio, only a plain
-- function (not an aggregate, procedure or set-returning function). The name is quoted before the
-- catalog lookup, so text such as "x; drop table ..." or "pg_catalog.pg_sleep" can only ever be
-- looked up as one (missing) identifier. Returns the function, or null and the reason.
create or replace function kpi.resolve_calculation(calculation text, out function_oid regprocedure, out returns_ratio boolean, out error text)
language plpgsql
stable
set search_path = ''
as $$
declare
  found oid;
  proc record;
begin
  if calculation is null or calculation !~ '^[a-z][a-z0-9_]{0,62}$' then
    error := format('calculation %s is not a plain lower-case function name', coalesce(quote_literal(left(calculation, 80)), 'null'));
    return;
  end if;

  found := pg_catalog.to_regprocedure(format('kpi.%I(date, date)', calculation));
  if found is null then
    if exists (select from pg_catalog.pg_proc p where p.pronamespace = 'kpi'::regnamespace and p.proname = calculation) then
      error := format('function kpi.%I has the wrong arguments: a calculation takes (period_start date, period_end date)', calculation);
    else
      error := format('no function kpi.%I(date, date)', calculation);
    end if;
    return;
  end if;

  select p.pronamespace, p.prokind, p.proretset, p.prorettype into proc from pg_catalog.pg_proc p where p.oid = found;
  if proc.pronamespace <> 'kpi'::regnamespace or proc.prokind <> 'f' or proc.proretset then
    error := format('kpi.%I is not a plain function of schema kpi', calculation);
    return;
  end if;

  if proc.prorettype not in ('pg_catalog.numeric'::regtype, 'kpi.ratio'::regtype) then
    error := format('kpi.%I returns %s: a calculation returns numeric or kpi.ratio', calculation, proc.prorettype::regtype);
    return;
  end if;

  function_oid := found;
  returns_ratio := proc.prorettype = 'kpi.ratio'::regtype;
end
$$;

-- Calls one resolved calculation for one period. The call is built from the resolved oid (its regproc
-- text is the catalog's own schema-qualified, quoted name) and the dates are bound parameters. An
-- error in the function is caught and returned, so one failing KPI never stops the others.
create or replace function kpi.evaluate(
  function_oid regprocedure, returns_ratio boolean, period_start date, period_end date,
  out value numeric, out numerator numeric, out denominator numeric, out error text)
language plpgsql
volatile
set search_path = ''
as $$
begin
  if function_oid is null then
    error := 'no function';
    return;
  end if;

  if returns_ratio then
    execute format('select (r).numerator, (r).denominator from (select %s($1, $2) as r) s', function_oid::oid::regproc)
      into numerator, denominator using period_start, period_end;
    value := case when denominator is not null and denominator <> 0 then numerator / denominator end;
  else
    execute format('select %s($1, $2)', function_oid::oid::regproc) into value using period_start, period_end;
  end if;
exception when others then
  value := null;
  numerator := null;
  denominator := null;
  error := sqlerrm;
end
$$;

-- When the data behind a calculation was last refreshed: the oldest as-of time of the views it reads.
create or replace function kpi.data_as_of(function_oid regprocedure)
returns timestamptz
language sql
stable
set search_path = ''
as $$
  select min(r.as_of)
  from pg_catalog.pg_depend d
  join pg_catalog.pg_class c on c.oid = d.refobjid and c.relkind = 'm'
  join kpi.view_refreshes r on r.view_name = c.relname::text
  where d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = function_oid
$$;

revoke all on all functions in schema kpi from public;
