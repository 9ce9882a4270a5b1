-- Reference data shared by the domains. Every table has the same shape: id, code, name, is_active.
create table public.countries (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Z]{2}$'),           -- ISO 3166-1 alpha-2
  name text not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.currencies (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Z]{3}$'),           -- ISO 4217
  name text not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The stages a lead moves through; their order and meaning live in sales_pipeline_stages (0101).
create table public.sales_stages (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[a-z][a-z0-9_]*$'),
  name text not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.expense_categories (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[a-z][a-z0-9_]*$'),
  name text not null,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger set_updated_at before update on public.countries
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.currencies
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.sales_stages
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.expense_categories
  for each row execute function private.set_updated_at();
