-- The worker's own bookkeeping lives in schema "worker", which the API does not expose.
-- Run history: one row per job run, kept after Hangfire expires its own records (a day for
-- successes) so ops can look back; pruned by the prune-run-history job.
create schema if not exists worker;

create table worker.job_runs (
  id bigint generated always as identity primary key,
  job_id text not null,
  hangfire_job_id text,
  trigger text not null check (trigger in ('schedule', 'manual', 'upload', 'command')),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running' check (status in ('running', 'succeeded', 'failed')),
  rows_read bigint check (rows_read >= 0),
  rows_written bigint check (rows_written >= 0),
  summary jsonb,
  error text,
  check (finished_at is null or finished_at >= started_at),
  check ((status = 'running') = (finished_at is null))
);

create index job_runs_job_id_started_at_idx on worker.job_runs (job_id, started_at desc);
create index job_runs_started_at_idx on worker.job_runs (started_at);
