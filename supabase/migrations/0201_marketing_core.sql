-- Marketing campaigns: the parent of events, keywords and content.
-- name is unique so that CSV exports can refer to a campaign by name.
create table public.marketing_campaigns (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (btrim(name) <> ''),
  campaign_type text not null check (campaign_type in ('offline', 'online')),
  budget numeric(14, 2) not null default 0 check (budget >= 0),
  start_date date not null,
  end_date date,
  status text not null default 'planned'
    check (status in ('planned', 'active', 'paused', 'completed', 'cancelled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_date is null or end_date >= start_date)
);

create trigger set_updated_at before update on public.marketing_campaigns
  for each row execute function private.set_updated_at();
