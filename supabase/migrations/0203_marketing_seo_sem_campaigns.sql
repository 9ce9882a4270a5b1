create table public.seo_sem_campaigns (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.marketing_campaigns (id) on delete cascade,
  keyword text not null check (btrim(keyword) <> ''),
  impressions bigint not null default 0 check (impressions >= 0),
  clicks bigint not null default 0 check (clicks >= 0),
  conversions numeric(14, 2) not null default 0 check (conversions >= 0),
  cost numeric(14, 2) not null default 0 check (cost >= 0),
  start_date date not null,
  end_date date not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_date >= start_date),
  unique (campaign_id, keyword, start_date, end_date)
);

create trigger set_updated_at before update on public.seo_sem_campaigns
  for each row execute function private.set_updated_at();
