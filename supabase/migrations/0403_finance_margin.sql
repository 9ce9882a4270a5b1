-- Revenue, cost of goods sold and gross margin per period (month or quarter).
create table public.finance_margin (
  id uuid primary key default gen_random_uuid(),
  period_start date not null,
  period_end date not null,
  revenue numeric(14, 2) not null check (revenue >= 0),
  cost_of_goods_sold numeric(14, 2) not null check (cost_of_goods_sold >= 0),
  gross_margin numeric(14, 2) generated always as (revenue - cost_of_goods_sold) stored,
  gross_margin_pct numeric(7, 4) generated always as
    (case when revenue = 0 then null else round((revenue - cost_of_goods_sold) / revenue, 4) end) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (period_end >= period_start),
  unique (period_start, period_end)
);

create trigger set_updated_at before update on public.finance_margin
  for each row execute function private.set_updated_at();
