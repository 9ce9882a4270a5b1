-- KPI definitions. calculation names one of the computations the database knows (see v_all_kpis in
-- 0502); it is an identifier, never SQL text to execute.
create table public.kpi_metrics (
  id uuid primary key default gen_random_uuid(),
  domain text not null check (domain in ('sales', 'marketing', 'operations', 'finance')),
  name text not null unique check (btrim(name) <> ''),
  description text,
  calculation text not null unique check (calculation ~ '^[a-z][a-z0-9_]*$'),
  target_value numeric(18, 4),
  unit text not null default 'count' check (unit in ('count', 'currency', 'ratio', 'hours')),
  -- Whether a value above the target is good (revenue) or bad (cost per lead).
  direction text not null default 'higher_is_better' check (direction in ('higher_is_better', 'lower_is_better')),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index kpi_metrics_domain_idx on public.kpi_metrics (domain);

create trigger set_updated_at before update on public.kpi_metrics
  for each row execute function private.set_updated_at();
