-- The daily marketing series get their rows from two kinds of source: CSV uploads and GA4 properties
-- synced through the Data API. Each row says where it came from, and the source is part of the key, so
-- a sync never overwrites an upload (or another property's rows) and an upload never overwrites a sync.
--   source = 'csv'             uploads (the default, so existing writers need not name it)
--   source = 'ga4:<property>'  the GA4 sync of that property
-- Readers that want one answer per day read the v_*_effective views below (docs/schema.md: per day, GA4
-- rows win over CSV rows; several properties add up; assisted conversions always come from CSV).
alter table public.website_analytics
  add column source text not null default 'csv' check (source = 'csv' or source ~ '^ga4:[0-9]+$');
alter table public.digital_channels
  add column source text not null default 'csv' check (source = 'csv' or source ~ '^ga4:[0-9]+$');
alter table public.marketing_attribution
  add column source text not null default 'csv' check (source = 'csv' or source ~ '^ga4:[0-9]+$');

alter table public.website_analytics drop constraint website_analytics_date_key;
alter table public.website_analytics add constraint website_analytics_date_source_key unique (date, source);
alter table public.digital_channels drop constraint digital_channels_report_date_channel_name_key;
alter table public.digital_channels add constraint digital_channels_report_date_channel_name_source_key unique (report_date, channel_name, source);
alter table public.marketing_attribution drop constraint marketing_attribution_report_date_channel_key;
alter table public.marketing_attribution add constraint marketing_attribution_report_date_channel_source_key unique (report_date, channel, source);

-- No cost is not zero cost: GA4 answers zeros when the caller may not see cost (no linked Google Ads,
-- or no cost access); the sync stores NULL then and says so in its run summary.
alter table public.digital_channels alter column cost drop not null;

-- One row per day: the GA4 rows of the day if any property has one, else the CSV row. Several GA4
-- properties (separate sites) add up; rates are weighted by sessions. users are summed across
-- properties (distinct sites have distinct users) but, as ever, never across days.
create view public.v_website_analytics_effective
with (security_invoker = true) as
with ranked as (
  select w.*, rank() over (partition by w.date order by (w.source = 'csv')) as pick
  from public.website_analytics w
)
select
  date,
  sum(pageviews)::bigint as pageviews,
  sum(sessions)::bigint as sessions,
  sum(users)::bigint as users,
  case when count(*) = 1 then max(bounce_rate)
       else round(sum(bounce_rate * sessions) / nullif(sum(sessions) filter (where bounce_rate is not null), 0), 6) end as bounce_rate,
  case when count(*) = 1 then max(avg_session_duration)
       else round(sum(avg_session_duration * sessions) / nullif(sum(sessions) filter (where avg_session_duration is not null), 0), 3) end as avg_session_duration,
  array_agg(source order by source) as sources,
  max(updated_at) as updated_at
from ranked
where pick = 1
group by date;

-- One row per day and channel: GA4 rows when any property has a row for that day (in any channel),
-- else the CSV rows of the day. Deciding per day, not per channel, keeps a day from mixing the two.
create view public.v_digital_channels_effective
with (security_invoker = true) as
with ranked as (
  select d.*, rank() over (partition by d.report_date order by (d.source = 'csv')) as pick
  from public.digital_channels d
)
select
  report_date,
  channel_name,
  sum(visits)::bigint as visits,
  sum(leads)::bigint as leads,
  sum(conversions)::numeric(14, 2) as conversions,
  sum(cost)::numeric(14, 2) as cost,
  array_agg(source order by source) as sources,
  max(updated_at) as updated_at
from ranked
where pick = 1
group by report_date, channel_name;

-- One row per day and channel: first and last touch from GA4 on the days it has rows, else from CSV;
-- assisted conversions always from CSV (the Data API has none), so an upload that carries them and a
-- sync that does not merge instead of erasing each other.
create view public.v_marketing_attribution_effective
with (security_invoker = true) as
with ranked as (
  select a.*, rank() over (partition by a.report_date order by (a.source = 'csv')) as pick
  from public.marketing_attribution a
),
touches as (
  select report_date, channel, sum(first_touch_conversions) as first_touch_conversions,
         sum(last_touch_conversions) as last_touch_conversions, array_agg(source order by source) as sources, max(updated_at) as updated_at
  from ranked where pick = 1
  group by report_date, channel
),
assists as (
  select report_date, channel, assisted_conversions, updated_at
  from public.marketing_attribution where source = 'csv'
)
select
  coalesce(t.report_date, s.report_date) as report_date,
  coalesce(t.channel, s.channel) as channel,
  coalesce(t.first_touch_conversions, 0)::numeric(14, 2) as first_touch_conversions,
  coalesce(t.last_touch_conversions, 0)::numeric(14, 2) as last_touch_conversions,
  coalesce(s.assisted_conversions, 0)::numeric(14, 2) as assisted_conversions,
  coalesce(t.sources, array['csv']) as sources,
  greatest(t.updated_at, s.updated_at) as updated_at
from touches t
full join assists s on s.report_date = t.report_date and s.channel = t.channel;

-- The overview counts each day once: from the effective channel rows.
create or replace view public.v_marketing_overview
with (security_invoker = true) as
with channel_month as (
  select date_trunc('month', report_date)::date as month, sum(leads) as leads, sum(cost) as cost
  from public.v_digital_channels_effective
  group by 1
),
offline_month as (
  select date_trunc('month', event_date)::date as month, sum(leads_generated) as leads
  from public.offline_events
  group by 1
),
won_month as (
  select date_trunc('month', created_at)::date as month, sum(expected_value) as revenue
  from public.sales_leads
  where status = 'won'
  group by 1
),
months as (
  select month from channel_month
  union
  select month from offline_month
)
select
  m.month,
  (coalesce(c.leads, 0) + coalesce(o.leads, 0))::bigint as total_leads,
  coalesce(c.cost, 0)::numeric(14, 2) as total_cost,
  round(coalesce(c.cost, 0) / nullif(coalesce(c.leads, 0) + coalesce(o.leads, 0), 0), 2) as cost_per_lead,
  coalesce(w.revenue, 0)::numeric(14, 2) as revenue,
  round((coalesce(w.revenue, 0) - c.cost) / nullif(c.cost, 0), 4) as roi
from months m
left join channel_month c using (month)
left join offline_month o using (month)
left join won_month w using (month);
