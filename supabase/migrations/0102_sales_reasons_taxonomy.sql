-- Why deals are lost or move: a small taxonomy, referenced from leads.
create table public.sales_reasons (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  category text not null check (category in ('lost', 'won', 'stalled', 'moved')),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (category, name)
);

create trigger set_updated_at before update on public.sales_reasons
  for each row execute function private.set_updated_at();

alter table public.sales_leads
  add column reason_id uuid references public.sales_reasons (id) on delete set null;
