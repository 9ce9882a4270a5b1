-- Marketing overview per calendar month.
--   total_leads   = digital channel leads + offline event leads (content leads are touches already
--                   counted in the channels, so they are not added again)
--   total_cost    = digital channel cost (channel spend is the source of truth; seo_sem_campaigns
--                   is keyword detail of the same spend and is not added again)
--   revenue       = expected value of the leads created in the month that are now won
--   roi           = (revenue - total_cost) / total_cost
create view public.v_marketing_overview
with (security_invoker = true) as
with channel_month as (
  select date_trunc('month', report_date)::date as month, sum(leads) as leads, sum(cost) as cost
  from public.digital_channels
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
