-- Sales: the pipeline definition, leads and the activities logged against them.

-- The pipeline: one row per stage of sales_stages, in order, saying whether a lead there is closed.
create table public.sales_pipeline_stages (
  id uuid primary key default gen_random_uuid(),
  stage_id uuid not null unique references public.sales_stages (id) on delete cascade,
  name text not null,
  sequence integer not null unique check (sequence > 0),
  outcome text not null default 'open' check (outcome in ('open', 'won', 'lost')),
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.sales_leads (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid references public.profiles (id) on delete set null,
  company text not null check (btrim(company) <> ''),
  contact_name text,
  stage_id uuid not null references public.sales_stages (id) on delete restrict,
  expected_value numeric(14, 2) not null default 0 check (expected_value >= 0),
  status text not null default 'open' check (status in ('open', 'won', 'lost')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.sales_activities (
  id uuid primary key default gen_random_uuid(),
  lead_id uuid not null references public.sales_leads (id) on delete cascade,
  type text not null check (type in ('call', 'email', 'meeting', 'demo', 'note', 'task')),
  note text,
  activity_date date not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger set_updated_at before update on public.sales_pipeline_stages
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.sales_leads
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.sales_activities
  for each row execute function private.set_updated_at();
