-- Who changed what. Rows are written by triggers (see supabase/policies), never by hand.
-- actor_id has no foreign key on purpose: the trail must outlive deleted users.
create table public.audit_logs (
  id bigint generated always as identity primary key,
  actor_id uuid,
  -- Who acted when there is no signed-in user: the database role, or the worker job that set worker.actor.
  actor_role text,
  action text not null check (action in ('INSERT', 'UPDATE', 'DELETE')),
  table_name text not null,
  record_id text,
  changes jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index audit_logs_table_record_idx on public.audit_logs (table_name, record_id);
create index audit_logs_actor_id_idx on public.audit_logs (actor_id);
create index audit_logs_created_at_idx on public.audit_logs (created_at);
