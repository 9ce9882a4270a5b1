create table public.content_pieces (
  id uuid primary key default gen_random_uuid(),
  -- Content can stand alone; deleting its campaign keeps the piece.
  campaign_id uuid references public.marketing_campaigns (id) on delete set null,
  title text not null check (btrim(title) <> ''),
  content_type text not null check (content_type in
    ('blog', 'video', 'infographic', 'whitepaper', 'ebook', 'webinar', 'case_study', 'podcast', 'social', 'email', 'other')),
  publish_date date not null,
  impressions bigint not null default 0 check (impressions >= 0),
  leads_generated integer not null default 0 check (leads_generated >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (title, publish_date)
);

create trigger set_updated_at before update on public.content_pieces
  for each row execute function private.set_updated_at();
