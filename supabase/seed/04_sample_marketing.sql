-- 90 days of marketing data up to yesterday, four campaigns, events, keywords and content.
-- Rows with dates relative to today have fixed ids, so seeding on a later day adds the new days of
-- daily data but never a second copy of an event, keyword period or content piece.
insert into public.marketing_campaigns (id, name, campaign_type, budget, start_date, end_date, status) values
  (md5('campaign:spring')::uuid, 'Spring product launch', 'online', 50000, current_date - 90, current_date + 30, 'active'),
  (md5('campaign:search')::uuid, 'Always-on search', 'online', 120000, current_date - 365, null, 'active'),
  (md5('campaign:expo')::uuid, 'Industry expo tour', 'offline', 80000, current_date - 80, current_date - 10, 'completed'),
  (md5('campaign:roadshow')::uuid, 'Customer roadshow', 'offline', 30000, current_date - 30, current_date + 60, 'active')
on conflict (id) do nothing;

insert into public.website_analytics (date, pageviews, sessions, users, bounce_rate, avg_session_duration)
select
  d::date,
  4000 + abs(hashtext('pv:' || d)) % 3000,
  1500 + abs(hashtext('se:' || d)) % 1000,
  1100 + abs(hashtext('us:' || d)) % 700,
  round((0.35 + (abs(hashtext('br:' || d)) % 2000) / 10000.0)::numeric, 4),
  round((90 + (abs(hashtext('sd:' || d)) % 9000) / 100.0)::numeric, 2)
from generate_series(current_date - 90, current_date - 1, interval '1 day') as d
on conflict (date, source) do nothing;

insert into public.digital_channels (report_date, channel_name, visits, leads, conversions, cost)
select
  d::date,
  c.name,
  c.base_visits + abs(hashtext('v:' || c.name || d)) % c.base_visits,
  c.base_leads + abs(hashtext('l:' || c.name || d)) % (c.base_leads + 1),
  c.base_leads / 2 + abs(hashtext('c:' || c.name || d)) % (c.base_leads / 2 + 1),
  round((c.cost_per_day * (0.8 + (abs(hashtext('$:' || c.name || d)) % 400) / 1000.0))::numeric, 2)
from generate_series(current_date - 90, current_date - 1, interval '1 day') as d
cross join (values
  ('Organic Search', 600, 8, 0), ('Paid Search', 400, 10, 450), ('Paid Social', 300, 6, 300),
  ('Email', 150, 4, 20), ('Direct', 350, 3, 0), ('Referral', 100, 2, 0)
) as c (name, base_visits, base_leads, cost_per_day)
on conflict (report_date, channel_name, source) do nothing;

insert into public.marketing_attribution (report_date, channel, first_touch_conversions, last_touch_conversions, assisted_conversions)
select
  d::date,
  c.name,
  abs(hashtext('ft:' || c.name || d)) % 12,
  abs(hashtext('lt:' || c.name || d)) % 12,
  abs(hashtext('as:' || c.name || d)) % 20
from generate_series(current_date - 90, current_date - 1, interval '1 day') as d
cross join (values ('Organic Search'), ('Paid Search'), ('Paid Social'), ('Email'), ('Direct'), ('Referral')) as c (name)
on conflict (report_date, channel, source) do nothing;

insert into public.offline_events (id, campaign_id, event_name, location, event_date, attendees, leads_generated, notes)
select
  md5('event:' || e.name)::uuid, md5('campaign:' || e.campaign)::uuid, e.name, e.location, current_date - e.days_ago, e.attendees, e.leads, null
from (values
  ('expo', 'Expo Berlin', 'Berlin', 75, 1200, 85),
  ('expo', 'Expo Paris', 'Paris', 50, 950, 60),
  ('expo', 'Expo London', 'London', 20, 1400, 110),
  ('roadshow', 'Roadshow Amsterdam', 'Amsterdam', 25, 80, 14),
  ('roadshow', 'Roadshow Madrid', 'Madrid', 12, 65, 9),
  ('roadshow', 'Roadshow Toronto', 'Toronto', 3, 70, 11)
) as e (campaign, name, location, days_ago, attendees, leads)
on conflict do nothing;

insert into public.seo_sem_campaigns (id, campaign_id, keyword, impressions, clicks, conversions, cost, start_date, end_date)
select
  md5('keyword:' || k.keyword || ':' || m)::uuid, md5('campaign:search')::uuid, k.keyword,
  20000 + abs(hashtext('i:' || k.keyword || m)) % 30000,
  800 + abs(hashtext('k:' || k.keyword || m)) % 1200,
  20 + abs(hashtext('cv:' || k.keyword || m)) % 40,
  round((1500 + abs(hashtext('co:' || k.keyword || m)) % 3500)::numeric, 2),
  (date_trunc('month', current_date) - make_interval(months => m))::date,
  (date_trunc('month', current_date) - make_interval(months => m) + interval '1 month - 1 day')::date
from (values ('kpi dashboard'), ('etl tool'), ('marketing analytics'), ('sales pipeline software')) as k (keyword)
cross join generate_series(1, 3) as m
on conflict do nothing;

insert into public.content_pieces (id, campaign_id, title, content_type, publish_date, impressions, leads_generated)
select md5('content:' || c.title)::uuid, md5('campaign:spring')::uuid, c.title, c.content_type, current_date - c.days_ago, c.impressions, c.leads
from (values
  ('Launch announcement', 'blog', 85, 42000, 120),
  ('Product tour', 'video', 80, 65000, 95),
  ('KPI cheat sheet', 'infographic', 60, 18000, 40),
  ('State of analytics 2026', 'whitepaper', 45, 9000, 150),
  ('Customer story: Acme', 'case_study', 30, 7000, 35),
  ('Live demo', 'webinar', 14, 3000, 70)
) as c (title, content_type, days_ago, impressions, leads)
on conflict do nothing;
