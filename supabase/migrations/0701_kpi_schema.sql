-- The KPI layer's own schema, "kpi": materialized views, the functions KPI definitions name, the
-- snapshot history and the refresh bookkeeping. The API never exposes it (no grants to anon or
-- authenticated); users read KPI data through public.v_all_kpis / public.v_kpi_snapshots, which call
-- permission-checking functions in "private" (0704).
create schema if not exists kpi;
revoke all on schema kpi from public;

-- One row: the business time zone the daily views cut days in (the worker writes Kpi:TimeZone here
-- before each refresh) and the debounce marker of refresh requests (see 0705).
create table kpi.settings (
  id boolean primary key default true check (id),
  time_zone text not null default 'UTC',
  updated_at timestamptz not null default now()
);
insert into kpi.settings (id) values (true);

-- What a ratio KPI's function returns: numerator and denominator, never the ratio itself, so any
-- period rolls up correctly (cost per lead of a month = sum of cost / sum of leads).
create type kpi.ratio as (numerator numeric, denominator numeric);

-- KPI definitions: what a scorecard needs beyond the spec's columns.
--   grain            the period a value is reported for
--   aggregation      additive (flows, summed over the period: target prorated for a period-to-date),
--                    ratio (numerator / denominator: target never prorated),
--                    level (a stock as of the period's last day, e.g. backlog: target never prorated)
--   amber_tolerance  how far (a fraction of the target) a value may miss before it turns red
--   display_format   how the page formats the value: integer, decimal, currency, percent, hours
-- calculation is no longer unique: the same function may back two KPIs of different grains.
alter table public.kpi_metrics
  add column grain text not null default 'month' check (grain in ('day', 'week', 'month', 'quarter')),
  add column aggregation text not null default 'additive' check (aggregation in ('additive', 'ratio', 'level')),
  add column display_format text not null default 'integer' check (display_format in ('integer', 'decimal', 'currency', 'percent', 'hours')),
  add column amber_tolerance numeric(6, 4) not null default 0.05 check (amber_tolerance >= 0 and amber_tolerance < 1),
  add column sort_order integer not null default 100;
alter table public.kpi_metrics drop constraint kpi_metrics_calculation_key;
create index kpi_metrics_calculation_idx on public.kpi_metrics (calculation);

-- Targets with effective periods: the target of a period is the one in effect on its first day
-- (latest effective_from on or before it, unless its effective_to has passed). History keeps the
-- target that applied then; kpi_metrics.target_value is the fallback when no dated target applies.
create table public.kpi_targets (
  id uuid primary key default gen_random_uuid(),
  kpi_id uuid not null references public.kpi_metrics (id) on delete cascade,
  effective_from date not null,
  effective_to date,
  target_value numeric(18, 4) not null,
  note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (effective_to is null or effective_to >= effective_from),
  unique (kpi_id, effective_from)
);

create trigger set_updated_at before update on public.kpi_targets
  for each row execute function private.set_updated_at();

-- When a lead was won or lost: "won value per day" needs it, and the schema had no such date.
-- Same rules as ops_tickets.closed_at: set on entering won/lost (unless the writer gives one, e.g. an
-- import of history), kept while it stays closed, cleared when reopened.
alter table public.sales_leads add column closed_at timestamptz;
alter table public.sales_leads add constraint sales_leads_closed_at_check
  check (status <> 'open' or closed_at is null);

create or replace function private.sales_lead_set_closed_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status = 'open' then
    new.closed_at := null;
  elsif tg_op = 'UPDATE' and old.status <> 'open' then
    new.closed_at := coalesce(new.closed_at, old.closed_at);
  else
    new.closed_at := coalesce(new.closed_at, now());
  end if;
  return new;
end
$$;

create trigger sales_lead_set_closed_at before insert or update of status, closed_at on public.sales_leads
  for each row execute function private.sales_lead_set_closed_at();

-- Leads closed before this column existed: their last change is the best date there is.
select set_config('worker.audit', 'batch', true);
update public.sales_leads set closed_at = updated_at where status <> 'open' and closed_at is null;
create index sales_leads_closed_at_idx on public.sales_leads (closed_at) where closed_at is not null;
