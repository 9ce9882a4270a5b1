-- Allowed moves between statuses, the log of moves made, and closed_at kept by trigger.
create table public.ops_ticket_transitions (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references public.ops_tickets (id) on delete cascade,
  from_status_id uuid references public.ops_ticket_statuses (id) on delete restrict,
  to_status_id uuid not null references public.ops_ticket_statuses (id) on delete restrict,
  changed_by uuid,
  changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger set_updated_at before update on public.ops_ticket_transitions
  for each row execute function private.set_updated_at();

-- closed_at rules:
--   * entering a closed status from an open one (or inserting a closed ticket) sets closed_at to now(),
--     unless the writer supplied one (imports of historical tickets);
--   * moving between two closed statuses (resolved -> closed) keeps the first closed_at;
--   * reopening (closed -> open status) clears closed_at.
create or replace function private.ops_ticket_set_closed_at()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  now_closed boolean;
  was_closed boolean := false;
begin
  select s.is_closed into now_closed from public.ops_ticket_statuses s where s.id = new.status_id;

  if tg_op = 'UPDATE' then
    select s.is_closed into was_closed from public.ops_ticket_statuses s where s.id = old.status_id;
  end if;

  if not now_closed then
    new.closed_at := null;
  elsif tg_op = 'UPDATE' and was_closed then
    new.closed_at := coalesce(new.closed_at, old.closed_at);
  else
    new.closed_at := coalesce(new.closed_at, now());
  end if;
  return new;
end
$$;

create trigger ops_ticket_set_closed_at before insert or update of status_id, closed_at on public.ops_tickets
  for each row execute function private.ops_ticket_set_closed_at();

-- Every status change is logged with who made it (the signed-in user, when there is one).
create or replace function private.ops_ticket_log_transition()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status_id is distinct from old.status_id then
    insert into public.ops_ticket_transitions (ticket_id, from_status_id, to_status_id, changed_by)
    values (new.id, case when tg_op = 'UPDATE' then old.status_id end, new.status_id, auth.uid());
  end if;
  return null;
end
$$;

create trigger ops_ticket_log_transition after insert or update of status_id on public.ops_tickets
  for each row execute function private.ops_ticket_log_transition();
