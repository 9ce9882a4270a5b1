-- Daily figures per digital channel (GA4 default channel groups, ad platforms).
create table public.digital_channels (
  id uuid primary key default gen_random_uuid(),
  channel_name text not null check (btrim(channel_name) <> ''),
  visits bigint not null default 0 check (visits >= 0),
  leads bigint not null default 0 check (leads >= 0),
  conversions numeric(14, 2) not null default 0 check (conversions >= 0),
  cost numeric(14, 2) not null default 0 check (cost >= 0),
  report_date date not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (report_date, channel_name)
);

create trigger set_updated_at before update on public.digital_channels
  for each row execute function private.set_updated_at();
