-- One row per day of website analytics (GA4). bounce_rate is a fraction (0.2761 = 27.61 %),
-- avg_session_duration in seconds. users are not additive across days: never sum them.
create table public.website_analytics (
  id uuid primary key default gen_random_uuid(),
  date date not null unique,
  pageviews bigint not null default 0 check (pageviews >= 0),
  sessions bigint not null default 0 check (sessions >= 0),
  users bigint not null default 0 check (users >= 0),
  bounce_rate numeric(7, 6) check (bounce_rate between 0 and 1),
  avg_session_duration numeric(12, 3) check (avg_session_duration >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create trigger set_updated_at before update on public.website_analytics
  for each row execute function private.set_updated_at();
