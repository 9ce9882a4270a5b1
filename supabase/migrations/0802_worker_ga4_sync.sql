-- GA4 sync bookkeeping (schema "worker", not exposed by the API).
-- Sync state: per property and report, the last day stored and the property's time zone. Written in
-- the same transaction as each slice's rows, so a killed run resumes after the last committed slice.
create table worker.ga4_sync_state (
  property_id text not null check (property_id ~ '^[0-9]+$'),
  report text not null check (report in ('website', 'channels', 'attribution')),
  synced_through date not null,
  time_zone text,
  updated_at timestamptz not null default now(),
  primary key (property_id, report)
);

-- One row per sync run: what was read and written, how much quota it cost, and the flags GA4 raised
-- that make numbers less reliable. Shown on the ETL page.
create table worker.ga4_sync_runs (
  id bigint generated always as identity primary key,
  property_id text not null,
  report text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running' check (status in ('running', 'succeeded', 'stopped', 'failed')),
  range_start date,
  range_end date,
  synced_through date,
  time_zone text,
  requests integer not null default 0 check (requests >= 0),
  rows_read bigint not null default 0 check (rows_read >= 0),
  rows_written bigint not null default 0 check (rows_written >= 0),
  rows_deleted bigint not null default 0 check (rows_deleted >= 0),
  days_revised integer not null default 0 check (days_revised >= 0),
  revisions integer not null default 0 check (revisions >= 0),
  tokens_consumed bigint not null default 0 check (tokens_consumed >= 0),
  tokens_per_day_remaining bigint,
  tokens_per_hour_remaining bigint,
  cost_unavailable boolean not null default false,
  flags jsonb not null default '{}',
  note text,
  error text,
  check ((status = 'running') = (finished_at is null))
);

create index ga4_sync_runs_property_report_started_idx on worker.ga4_sync_runs (property_id, report, started_at desc);

-- Revisions: a day whose stored numbers changed when the lookback read it again (GA4 keeps processing
-- the last 24-48 h). One row per (day, dimension, metric) that moved, with the old and new value, so the
-- KPI layer and the digest can say "Tuesday's sessions revised +3 %".
create table worker.ga4_revisions (
  id bigint generated always as identity primary key,
  sync_run_id bigint references worker.ga4_sync_runs (id) on delete set null,
  property_id text not null,
  table_name text not null check (table_name in ('website_analytics', 'digital_channels', 'marketing_attribution')),
  day date not null,
  dimension text not null default '',
  metric text not null,
  old_value numeric,
  new_value numeric,
  revised_at timestamptz not null default now()
);

create index ga4_revisions_day_idx on worker.ga4_revisions (table_name, day);
