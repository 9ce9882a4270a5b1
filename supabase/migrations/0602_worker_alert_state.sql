-- Per job, whether it is failing and when ops were last told, so a job that keeps failing raises
-- one alert per grace period and a "recovered" message once it succeeds again.
create table worker.alert_state (
  job_id text primary key,
  failing boolean not null default false,
  last_alert_at timestamptz
);
