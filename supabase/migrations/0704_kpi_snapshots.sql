-- KPI snapshot history (written by the kpi-snapshot job) and how users read it.
--
-- One row per KPI, grain, period kind and period, upserted, so a re-run is harmless:
--   closed   a complete period (recomputed while within the settle window; a change is a revision)
--   to_date  the current period up to the last complete day, compared with the same elapsed days of
--            the previous period
-- The tables live in schema kpi (never exposed); users read them through the permission-checking
-- functions below, via the security_invoker views public.v_kpi_snapshots and public.v_all_kpis.
-- private.my_permissions() is defined with the policies (applied after the migrations), so the
-- function bodies below are checked when first called rather than now.
select set_config('check_function_bodies', 'off', true);

create table kpi.snapshots (
  id uuid primary key default gen_random_uuid(),
  kpi_id uuid not null references public.kpi_metrics (id) on delete cascade,
  grain text not null check (grain in ('day', 'week', 'month', 'quarter')),
  period_kind text not null check (period_kind in ('closed', 'to_date')),
  period_start date not null,
  period_end date not null,
  value numeric,
  numerator numeric,
  denominator numeric,
  target_value numeric,
  attainment numeric,
  status text not null check (status in ('green', 'amber', 'red', 'no_data', 'no_target', 'error')),
  comparison_start date,
  comparison_end date,
  comparison_value numeric,
  change numeric,
  error text,
  data_as_of timestamptz,
  computed_at timestamptz not null default now(),
  first_value numeric,
  revised_from numeric,
  revised_at timestamptz,
  revision_count integer not null default 0,
  check (period_end >= period_start),
  unique (kpi_id, grain, period_kind, period_start)
);

create index snapshots_period_idx on kpi.snapshots (kpi_id, period_kind, period_end desc);

-- Every time a closed period's value moved: old and new value and when.
create table kpi.snapshot_revisions (
  id uuid primary key default gen_random_uuid(),
  snapshot_id uuid not null references kpi.snapshots (id) on delete cascade,
  kpi_id uuid not null,
  period_start date not null,
  period_end date not null,
  old_value numeric,
  new_value numeric,
  revised_at timestamptz not null default now()
);

create index snapshot_revisions_snapshot_idx on kpi.snapshot_revisions (snapshot_id, revised_at);

-- The domain rule of kpi_metrics' select policy, as a function of a set of permissions: read_kpis and
-- the domain's own read permission (directors hold all four, each domain role its own).
create or replace function private.kpi_domain_readable(domain text, granted text[])
returns boolean
language sql
immutable
parallel safe
set search_path = ''
return 'read_kpis' = any (granted) and case domain
  when 'sales' then 'read_sales_leads' = any (granted)
  when 'marketing' then 'read_marketing_data' = any (granted)
  when 'operations' then 'read_ops_tickets' = any (granted)
  when 'finance' then 'read_finance_data' = any (granted)
  else false
end;

-- Snapshots (with their definitions) readable with the given permissions. Not executable by API
-- roles (a caller could claim any permissions); the two wrappers below decide the permissions.
create or replace function private.kpi_snapshots_for(granted text[])
returns table (
  kpi_id uuid, domain text, name text, description text, calculation text, unit text, direction text, grain text,
  aggregation text, display_format text, amber_tolerance numeric, sort_order integer, is_active boolean,
  period_kind text, period_start date, period_end date, value numeric, numerator numeric, denominator numeric,
  target_value numeric, attainment numeric, status text, comparison_start date, comparison_end date,
  comparison_value numeric, change numeric, error text, data_as_of timestamptz, computed_at timestamptz,
  revised_from numeric, revised_at timestamptz, revision_count integer)
language sql
stable
security definer
set search_path = ''
as $$
  select k.id, k.domain, k.name, k.description, k.calculation, k.unit, k.direction, k.grain,
    k.aggregation, k.display_format, k.amber_tolerance, k.sort_order, k.is_active,
    s.period_kind, s.period_start, s.period_end, s.value, s.numerator, s.denominator,
    s.target_value, s.attainment, s.status, s.comparison_start, s.comparison_end,
    s.comparison_value, s.change, s.error, s.data_as_of, s.computed_at,
    s.revised_from, s.revised_at, s.revision_count
  from kpi.snapshots s
  join public.kpi_metrics k on k.id = s.kpi_id and k.grain = s.grain
  where private.kpi_domain_readable(k.domain, granted)
$$;

-- What the caller may read: a signed-in user their own permissions (as row-level security sees them);
-- the API's service role, which bypasses row-level security, everything.
create or replace function private.visible_kpi_snapshots()
returns table (
  kpi_id uuid, domain text, name text, description text, calculation text, unit text, direction text, grain text,
  aggregation text, display_format text, amber_tolerance numeric, sort_order integer, is_active boolean,
  period_kind text, period_start date, period_end date, value numeric, numerator numeric, denominator numeric,
  target_value numeric, attainment numeric, status text, comparison_start date, comparison_end date,
  comparison_value numeric, change numeric, error text, data_as_of timestamptz, computed_at timestamptz,
  revised_from numeric, revised_at timestamptz, revision_count integer)
language sql
stable
security definer
set search_path = ''
as $$
  select * from private.kpi_snapshots_for(case
    when (select auth.role()) = 'service_role' then array(select p.name from public.permissions p)
    else array(select private.my_permissions())
  end)
$$;

-- What a holder of a role may read (digest recipients that are a role, not a user). Worker only.
create or replace function private.kpi_snapshots_for_role(role_name text)
returns table (
  kpi_id uuid, domain text, name text, description text, calculation text, unit text, direction text, grain text,
  aggregation text, display_format text, amber_tolerance numeric, sort_order integer, is_active boolean,
  period_kind text, period_start date, period_end date, value numeric, numerator numeric, denominator numeric,
  target_value numeric, attainment numeric, status text, comparison_start date, comparison_end date,
  comparison_value numeric, change numeric, error text, data_as_of timestamptz, computed_at timestamptz,
  revised_from numeric, revised_at timestamptz, revision_count integer)
language sql
stable
security definer
set search_path = ''
as $$
  select * from private.kpi_snapshots_for(array(
    select pm.name from public.roles r
    join public.role_permissions rp on rp.role_id = r.id
    join public.permissions pm on pm.id = rp.permission_id
    where r.name = role_name))
$$;

revoke all on function private.kpi_domain_readable(text, text[]), private.kpi_snapshots_for(text[]),
  private.visible_kpi_snapshots(), private.kpi_snapshots_for_role(text) from public, anon, authenticated;
grant execute on function private.visible_kpi_snapshots() to authenticated, service_role;

-- Every snapshot the reader may see, every period (the page's trend reads the closed ones).
create view public.v_kpi_snapshots
with (security_invoker = true) as
select * from private.visible_kpi_snapshots();

-- public.v_all_kpis (the latest snapshot per KPI) is defined in supabase/policies/05_kpi_reading.sql:
-- a later migration (0801) redefines the old view, and the policies run after every migration.

-- Debounce marker of refresh requests (IKpiRefreshTrigger): pending_since is set by the first request
-- after a refresh started, which schedules one refresh a short delay ahead; later requests see it set
-- and schedule nothing. The refresh clears it when it starts, so a write during a refresh schedules
-- the next one. Stored in the database so it holds across workers.
create table kpi.refresh_requests (
  id boolean primary key default true check (id),
  pending_since timestamptz,
  scheduled_job_id text,
  requests integer not null default 0,
  last_reason text,
  last_requested_at timestamptz
);
insert into kpi.refresh_requests (id) values (true);
