-- Runs the worker starts on its own after something else happened: the debounced KPI refresh after
-- an ingestion changed rows ('ingestion'), and the kpi-snapshot queued when a refresh finishes
-- ('after-job'). Without these the run history could not record them (the insert would fail).
alter table worker.job_runs drop constraint job_runs_trigger_check;
alter table worker.job_runs add constraint job_runs_trigger_check
  check (trigger in ('schedule', 'manual', 'upload', 'command', 'ingestion', 'after-job'));
