-- Operations: tickets, their statuses and who worked on them. The SLA table is 0302;
-- the status workflow and the closed_at trigger are 0303.
create table public.ops_ticket_statuses (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[a-z][a-z0-9_]*$'),
  name text not null,
  sequence integer not null check (sequence > 0),
  -- A ticket in a closed status counts as resolved; closed_at is set when it first gets there.
  is_closed boolean not null default false,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.ops_tickets (
  id uuid primary key default gen_random_uuid(),
  reporter_id uuid references public.profiles (id) on delete set null,
  assignee_id uuid references public.profiles (id) on delete set null,
  status_id uuid not null references public.ops_ticket_statuses (id) on delete restrict,
  priority text not null default 'medium' check (priority in ('low', 'medium', 'high', 'critical')),
  subject text not null check (btrim(subject) <> ''),
  description text,
  sla_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  check (closed_at is null or closed_at >= created_at)
);

-- Assignment history: who held a ticket and when.
create table public.ops_ticket_assignees (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references public.ops_tickets (id) on delete cascade,
  assignee_id uuid not null references public.profiles (id) on delete cascade,
  assigned_at timestamptz not null default now(),
  unassigned_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (unassigned_at is null or unassigned_at >= assigned_at)
);
-- At most one open assignment per person and ticket.
create unique index ops_ticket_assignees_open_idx
  on public.ops_ticket_assignees (ticket_id, assignee_id) where unassigned_at is null;

create trigger set_updated_at before update on public.ops_ticket_statuses
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.ops_tickets
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.ops_ticket_assignees
  for each row execute function private.set_updated_at();
