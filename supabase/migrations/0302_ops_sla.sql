-- Service levels: how many hours a ticket of a priority may take to resolve.
create table public.ops_sla (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  resolution_target_hours numeric(8, 2) not null check (resolution_target_hours > 0),
  priority_level text not null unique check (priority_level in ('low', 'medium', 'high', 'critical')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger set_updated_at before update on public.ops_sla
  for each row execute function private.set_updated_at();

alter table public.ops_tickets
  add constraint ops_tickets_sla_id_fkey foreign key (sla_id) references public.ops_sla (id) on delete set null;
