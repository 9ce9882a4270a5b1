-- Daily-grain materialized views, one or two per domain, in schema kpi (never exposed: a
-- materialized view cannot have row-level security). They store numerators and denominators, never
-- ratios, so any period rolls up by summing days. Days are cut in the business time zone
-- (kpi.settings.time_zone). Each has a unique index on plain columns, so
-- REFRESH MATERIALIZED VIEW CONCURRENTLY works (refresh-kpi-views, in dependency order).
--
-- Stocks (open pipeline, open backlog, receivables) are a row per day with the level at the end of
-- that day, computed from opening and closing deltas and a running sum rather than a join of every
-- day with every row.

-- Sales flows per day: leads created (and of those, the value now won: the cohort revenue marketing
-- ROI uses, as v_marketing_overview does), leads won and lost (by closed_at), activities logged.
create materialized view kpi.sales_daily as
with tz as (select time_zone from kpi.settings),
created as (
  select (l.created_at at time zone tz.time_zone)::date as day, count(*) as new_leads, sum(l.expected_value) as new_lead_value,
    coalesce(sum(l.expected_value) filter (where l.status = 'won'), 0) as cohort_won_value
  from public.sales_leads l cross join tz
  group by 1
),
closed as (
  select (l.closed_at at time zone tz.time_zone)::date as day,
    count(*) filter (where l.status = 'won') as won_count,
    coalesce(sum(l.expected_value) filter (where l.status = 'won'), 0) as won_value,
    count(*) filter (where l.status = 'lost') as lost_count
  from public.sales_leads l cross join tz
  where l.closed_at is not null
  group by 1
),
activities as (
  select a.activity_date as day, count(*) as activities from public.sales_activities a group by 1
),
days as (select day from created union select day from closed union select day from activities)
select
  d.day,
  coalesce(c.new_leads, 0)::bigint as new_leads,
  coalesce(c.new_lead_value, 0)::numeric(18, 2) as new_lead_value,
  coalesce(c.cohort_won_value, 0)::numeric(18, 2) as cohort_won_value,
  coalesce(w.won_count, 0)::bigint as won_count,
  coalesce(w.won_value, 0)::numeric(18, 2) as won_value,
  coalesce(w.lost_count, 0)::bigint as lost_count,
  coalesce(a.activities, 0)::bigint as activities
from days d
left join created c using (day)
left join closed w using (day)
left join activities a using (day);

create unique index sales_daily_day_idx on kpi.sales_daily (day);

-- Open pipeline at the end of each day per stage: leads created by then and not yet won or lost.
-- The schema keeps no stage history, so a lead is counted under its current stage (one that has
-- closed since counts, on the days it was open, under its closing stage); the total is exact.
create materialized view kpi.sales_pipeline_daily as
with tz as (select time_zone, (now() at time zone time_zone)::date as today from kpi.settings),
leads as (
  select l.stage_id, l.expected_value, (l.created_at at time zone tz.time_zone)::date as opened,
    (l.closed_at at time zone tz.time_zone)::date as closed
  from public.sales_leads l cross join tz
),
deltas as (
  select stage_id, opened as day, 1 as n, expected_value as v from leads
  union all
  select stage_id, closed, -1, -expected_value from leads where closed is not null
),
per_day as (select stage_id, day, sum(n) as n, sum(v) as v from deltas group by 1, 2),
grid as (
  select s.stage_id, g::date as day
  from (select distinct stage_id from leads) s
  cross join tz
  cross join lateral generate_series((select min(day) from per_day), tz.today, interval '1 day') g
)
select
  g.day,
  g.stage_id,
  (sum(coalesce(p.n, 0)) over w)::bigint as open_count,
  (sum(coalesce(p.v, 0)) over w)::numeric(18, 2) as open_value
from grid g
left join per_day p using (stage_id, day)
window w as (partition by g.stage_id order by g.day);

create unique index sales_pipeline_daily_day_stage_idx on kpi.sales_pipeline_daily (day, stage_id);

-- The marketing series' rows, one answer per day: the views below read them through these two
-- functions, so which rows count is decided in one place. Here, before the series have a source
-- column, they are the tables themselves; supabase/policies/05_kpi_reading.sql (applied after every
-- migration) redefines them over the effective views of 0800 (GA4 rows win over CSV rows of the same
-- day), so an upload and a sync of the same day are never counted twice. Plain SQL functions without
-- SET clauses: PostgreSQL inlines them into the views' queries.
create or replace function kpi.digital_channel_rows()
returns table (day date, channel text, visits bigint, leads bigint, conversions numeric, cost numeric)
language sql
stable
as $$
  select report_date, channel_name, visits, leads, conversions, cost from public.digital_channels
$$;

create or replace function kpi.website_analytics_rows()
returns table (day date, sessions bigint, users bigint, pageviews bigint)
language sql
stable
as $$
  select date, sessions, users, pageviews from public.website_analytics
$$;

-- Marketing per day and channel: digital channels' visits, leads, conversions and cost, and offline
-- events' leads under the channel 'Offline events'. A day whose cost is unknown (GA4 without cost
-- access stores null) keeps its leads out of leads_with_cost, so cost per lead is cost / leads with cost.
create materialized view kpi.marketing_channel_daily as
select
  day,
  channel,
  sum(visits)::bigint as visits,
  sum(leads)::bigint as leads,
  sum(conversions)::numeric(18, 2) as conversions,
  sum(cost)::numeric(18, 2) as cost,
  (sum(leads) filter (where cost is not null))::bigint as leads_with_cost
from (
  select day, channel, visits, leads, conversions, cost from kpi.digital_channel_rows()
  union all
  select event_date, 'Offline events', 0, leads_generated, 0, 0 from public.offline_events
) c
group by day, channel;

create unique index marketing_channel_daily_day_channel_idx on kpi.marketing_channel_daily (day, channel);

-- Marketing per day, built on the channel view (so it is refreshed after it): the channel totals and
-- the site's sessions and users. users is one day's distinct users: never sum it across days (a KPI
-- over a period reports the average per day, never the sum).
create materialized view kpi.marketing_daily as
with channels as (
  select day, sum(visits) as visits, sum(leads) as leads, sum(conversions) as conversions, sum(cost) as cost
  from kpi.marketing_channel_daily
  group by day
),
site as (
  select day, sum(sessions) as sessions, sum(users) as users, sum(pageviews) as pageviews
  from kpi.website_analytics_rows()
  group by day
)
select
  day,
  coalesce(c.visits, 0)::bigint as visits,
  coalesce(c.leads, 0)::bigint as leads,
  coalesce(c.conversions, 0)::numeric(18, 2) as conversions,
  coalesce(c.cost, 0)::numeric(18, 2) as cost,
  s.sessions::bigint as sessions,
  s.users::bigint as users,
  s.pageviews::bigint as pageviews
from channels c
full join site s using (day);

create unique index marketing_daily_day_idx on kpi.marketing_daily (day);

-- Operations per day: tickets opened and closed, the open backlog at the end of the day, and of the
-- tickets closed that day how many met or breached their SLA and how long they took in total.
create materialized view kpi.ops_daily as
with tz as (select time_zone, (now() at time zone time_zone)::date as today from kpi.settings),
tickets as (
  select
    (t.created_at at time zone tz.time_zone)::date as opened,
    (t.closed_at at time zone tz.time_zone)::date as closed,
    extract(epoch from t.closed_at - t.created_at) / 3600 as hours,
    s.resolution_target_hours as target_hours
  from public.ops_tickets t
  cross join tz
  left join public.ops_sla s on s.id = t.sla_id
),
opened as (select opened as day, count(*) as opened from tickets group by 1),
closed as (
  select closed as day,
    count(*) as closed,
    count(*) filter (where target_hours is not null and hours <= target_hours) as within_sla,
    count(*) filter (where target_hours is not null and hours > target_hours) as sla_breaches,
    sum(hours) as resolution_hours
  from tickets where closed is not null
  group by 1
),
grid as (
  select g::date as day from tz
  cross join lateral generate_series(least((select min(day) from opened), tz.today), tz.today, interval '1 day') g
  where exists (select from opened)
)
select
  g.day,
  coalesce(o.opened, 0)::bigint as opened,
  coalesce(c.closed, 0)::bigint as closed,
  (sum(coalesce(o.opened, 0) - coalesce(c.closed, 0)) over (order by g.day))::bigint as open_backlog,
  coalesce(c.within_sla, 0)::bigint as within_sla,
  coalesce(c.sla_breaches, 0)::bigint as sla_breaches,
  coalesce(c.resolution_hours, 0)::numeric(18, 4) as resolution_hours,
  coalesce(c.closed, 0)::bigint as resolution_count
from grid g
left join opened o using (day)
left join closed c using (day);

create unique index ops_daily_day_idx on kpi.ops_daily (day);

-- Finance per day, invoice (accrual) basis as v_finance_overview: invoiced, refunds, revenue
-- (invoiced - refunds), expenses, cash received; and the gross margin inputs of finance_margin,
-- counted on the last day of their period.
create materialized view kpi.finance_daily as
with tx as (
  select transaction_date as day,
    coalesce(sum(amount) filter (where transaction_type = 'invoice'), 0) as invoiced,
    coalesce(sum(amount) filter (where transaction_type = 'refund'), 0) as refunds,
    coalesce(sum(amount) filter (where transaction_type = 'expense'), 0) as expenses,
    coalesce(sum(amount) filter (where transaction_type = 'payment'), 0) as cash_received
  from public.finance_transactions
  group by 1
),
margin as (
  select period_end as day, sum(revenue) as margin_revenue, sum(cost_of_goods_sold) as margin_cogs
  from public.finance_margin
  group by 1
)
select
  day,
  coalesce(t.invoiced, 0)::numeric(18, 2) as invoiced,
  coalesce(t.refunds, 0)::numeric(18, 2) as refunds,
  (coalesce(t.invoiced, 0) - coalesce(t.refunds, 0))::numeric(18, 2) as revenue,
  coalesce(t.expenses, 0)::numeric(18, 2) as expenses,
  coalesce(t.cash_received, 0)::numeric(18, 2) as cash_received,
  coalesce(m.margin_revenue, 0)::numeric(18, 2) as margin_revenue,
  coalesce(m.margin_cogs, 0)::numeric(18, 2) as margin_cogs
from tx t
full join margin m using (day);

create unique index finance_daily_day_idx on kpi.finance_daily (day);

-- Receivables at the end of each day per aging bucket (the buckets of ar_aging_bucket: days past
-- due < 30, 30-59, 60-89, 90+). Each invoice's outstanding amount is a run of segments between
-- payments; each segment is cut at the bucket boundaries (due + 30, + 60, + 90) into pieces that add
-- their amount on their first day and remove it after their last.
create materialized view kpi.finance_ar_daily as
with tz as (select (now() at time zone time_zone)::date as today from kpi.settings),
invoices as (
  select id, amount, transaction_date as issued, due_date
  from public.finance_transactions where transaction_type = 'invoice'
),
events as (
  select id as invoice_id, issued as day, amount as delta from invoices
  union all
  select p.invoice_id, greatest(p.transaction_date, i.issued), -p.amount
  from public.finance_transactions p join invoices i on i.id = p.invoice_id
  where p.transaction_type = 'payment'
),
event_days as (select invoice_id, day, sum(delta) as delta from events group by 1, 2),
segments as (
  select invoice_id, day as from_day, lead(day) over w as to_day, sum(delta) over w as outstanding
  from event_days
  window w as (partition by invoice_id order by day)
),
buckets (bucket, low, high) as (values ('current', -1000000, 30), ('30', 30, 60), ('60', 60, 90), ('90+', 90, 1000000)),
pieces as (
  select b.bucket, greatest(s.from_day, i.due_date + b.low) as start_day,
    least(coalesce(s.to_day, 'infinity'::date), i.due_date + b.high) as end_day, s.outstanding
  from segments s
  join invoices i on i.id = s.invoice_id
  cross join buckets b
  where s.outstanding > 0
),
deltas as (
  select bucket, start_day as day, 1 as n, outstanding as amount from pieces where start_day < end_day
  union all
  select bucket, end_day, -1, -outstanding from pieces cross join tz where start_day < end_day and end_day <= tz.today
),
per_day as (select bucket, day, sum(n) as n, sum(amount) as amount from deltas group by 1, 2),
grid as (
  select b.bucket, g::date as day
  from buckets b cross join tz
  cross join lateral generate_series((select min(day) from per_day), tz.today, interval '1 day') g
)
select
  g.day,
  g.bucket,
  (sum(coalesce(p.n, 0)) over w)::bigint as invoice_count,
  (sum(coalesce(p.amount, 0)) over w)::numeric(18, 2) as amount_due
from grid g
left join per_day p using (bucket, day)
window w as (partition by g.bucket order by g.day);

create unique index finance_ar_daily_day_bucket_idx on kpi.finance_ar_daily (day, bucket);

-- When each view was last refreshed, how long it took and the data's as-of time (refresh-kpi-views).
create table kpi.view_refreshes (
  view_name text primary key,
  refreshed_at timestamptz not null,
  as_of timestamptz not null,
  duration_ms numeric(12, 1) not null,
  mode text not null check (mode in ('concurrently', 'plain')),
  row_count bigint
);

-- The matviews in the order they must be refreshed: a view after every view it reads.
create or replace function kpi.views_in_refresh_order()
returns table (view_name text, depth integer)
language sql
stable
set search_path = ''
as $$
  with recursive views as (
    select c.oid, c.relname::text as name from pg_catalog.pg_class c
    where c.relnamespace = 'kpi'::regnamespace and c.relkind = 'm'
  ),
  edges as (
    select distinct v.oid as view_oid, d.refobjid as depends_on
    from views v
    join pg_catalog.pg_rewrite r on r.ev_class = v.oid
    join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_rewrite'::regclass and d.objid = r.oid
    join views u on u.oid = d.refobjid and u.oid <> v.oid
  ),
  walk (oid, depth) as (
    select oid, 0 from views
    union all
    select e.view_oid, w.depth + 1 from walk w join edges e on e.depends_on = w.oid where w.depth < 32
  )
  select v.name, max(w.depth)::integer from walk w join views v using (oid) group by v.name order by 2, 1
$$;
