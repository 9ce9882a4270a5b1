create table public.offline_events (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.marketing_campaigns (id) on delete cascade,
  event_name text not null check (btrim(event_name) <> ''),
  location text,
  event_date date not null,
  attendees integer not null default 0 check (attendees >= 0),
  leads_generated integer not null default 0 check (leads_generated >= 0),
  notes text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Natural key: the same event of a campaign on the same day is one row (idempotent loads).
  unique (campaign_id, event_name, event_date)
);

create trigger set_updated_at before update on public.offline_events
  for each row execute function private.set_updated_at();
