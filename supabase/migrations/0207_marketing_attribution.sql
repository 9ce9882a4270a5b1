-- Conversions per channel and day under three attribution models. Fractional values are allowed
-- because data-driven models split a conversion across touches.
create table public.marketing_attribution (
  id uuid primary key default gen_random_uuid(),
  channel text not null check (btrim(channel) <> ''),
  first_touch_conversions numeric(14, 2) not null default 0 check (first_touch_conversions >= 0),
  last_touch_conversions numeric(14, 2) not null default 0 check (last_touch_conversions >= 0),
  assisted_conversions numeric(14, 2) not null default 0 check (assisted_conversions >= 0),
  report_date date not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (report_date, channel)
);

create trigger set_updated_at before update on public.marketing_attribution
  for each row execute function private.set_updated_at();
