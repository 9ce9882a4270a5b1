-- Every CSV import, however it arrived (upload page, API, inbox folder, command line): what it was,
-- who sent it, and what it did. The file itself waits in import_files (1 MiB chunks) until its job
-- has run, so any worker can run it; the chunks are deleted once the batch is finished.
create table worker.import_batches (
  id uuid primary key default gen_random_uuid(),
  dataset text not null,
  file_name text not null,
  sha256 text not null,
  size_bytes bigint not null check (size_bytes >= 0),
  source text not null check (source in ('upload', 'api', 'inbox', 'cli')),
  uploaded_by uuid,
  uploaded_by_name text not null,
  options jsonb not null default '{}'::jsonb,
  status text not null default 'queued'
    check (status in ('queued', 'running', 'loaded', 'partially_loaded', 'rejected', 'failed')),
  hangfire_job_id text,
  rows_read bigint,
  inserted bigint,
  updated bigint,
  unchanged bigint,
  rejected bigint,
  skipped bigint,
  errors jsonb,
  notes jsonb,
  message text,
  same_file_as uuid references worker.import_batches (id) on delete set null,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz
);

create index import_batches_created_at_idx on worker.import_batches (created_at desc);
create index import_batches_dataset_sha256_idx on worker.import_batches (dataset, sha256);

create table worker.import_files (
  batch_id uuid not null references worker.import_batches (id) on delete cascade,
  chunk integer not null check (chunk >= 0),
  data bytea not null,
  primary key (batch_id, chunk)
);
