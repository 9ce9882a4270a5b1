-- Imports whose worker died: a batch is run under a lease (an advisory lock held by the running
-- worker's session, plus a heartbeat), so a batch left 'running' by a killed worker is recognised and
-- marked 'interrupted' (its page stops waiting; its stored file is kept so it can run again).
-- attempts counts the runs of a batch; file_pruned_at says the stored file was deleted by retention.
alter table worker.import_batches drop constraint import_batches_status_check;
alter table worker.import_batches add constraint import_batches_status_check
  check (status in ('queued', 'running', 'loaded', 'partially_loaded', 'rejected', 'failed', 'interrupted'));

alter table worker.import_batches
  add column attempts integer not null default 0 check (attempts >= 0),
  add column run_by text,
  add column heartbeat_at timestamptz,
  add column file_pruned_at timestamptz;

-- The recovery job looks only at running batches; retention only at finished ones.
create index import_batches_running_idx on worker.import_batches (heartbeat_at) where status = 'running';
create index import_batches_finished_at_idx on worker.import_batches (finished_at) where file_pruned_at is null;
