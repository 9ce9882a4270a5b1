-- v_all_kpis as in 0502, reading the effective channel rows (0800) so GA4 and CSV rows of the same day count once.
-- "Previous month" means the last complete calendar month; "last 30 days" ends yesterday.
create or replace view public.v_all_kpis
with (security_invoker = true) as
with kpi_values (calculation, value) as (
  select 'sales_open_pipeline_value', coalesce(sum(expected_value), 0)::numeric
  from public.sales_leads where status = 'open'
  union all
  select 'sales_win_rate',
    round(count(*) filter (where status = 'won')::numeric / nullif(count(*) filter (where status in ('won', 'lost')), 0), 4)
  from public.sales_leads
  union all
  select 'sales_activities_last_30_days', count(*)::numeric
  from public.sales_activities
  where activity_date >= current_date - 30 and activity_date < current_date
  union all
  select 'marketing_leads_last_30_days', coalesce(sum(leads), 0)::numeric
  from public.v_digital_channels_effective
  where report_date >= current_date - 30 and report_date < current_date
  union all
  select 'marketing_cost_per_lead_last_30_days', round(sum(cost) / nullif(sum(leads), 0), 2)
  from public.v_digital_channels_effective
  where report_date >= current_date - 30 and report_date < current_date
  union all
  select 'marketing_roi_previous_month', (
    select roi from public.v_marketing_overview
    where month = date_trunc('month', current_date - interval '1 month')::date)
  union all
  select 'ops_open_tickets', count(*)::numeric
  from public.ops_tickets where closed_at is null
  union all
  select 'ops_avg_resolution_hours', round(avg(extract(epoch from closed_at - created_at) / 3600)::numeric, 2)
  from public.ops_tickets where closed_at is not null
  union all
  select 'ops_sla_compliance',
    round(count(*) filter (where t.closed_at - t.created_at <= make_interval(secs => s.resolution_target_hours * 3600))::numeric
      / nullif(count(*), 0), 4)
  from public.ops_tickets t join public.ops_sla s on s.id = t.sla_id
  where t.closed_at is not null
  union all
  select 'finance_revenue_previous_month', (
    select revenue from public.v_finance_overview
    where month = date_trunc('month', current_date - interval '1 month')::date)
  union all
  select 'finance_gross_margin_pct_latest', (
    select gross_margin_pct from public.finance_margin order by period_end desc limit 1)
  union all
  select 'finance_ar_overdue_90_plus', amount_due
  from public.v_finance_ar_summary where bucket = '90+'
)
select
  k.id as kpi_id,
  k.domain,
  k.name,
  k.calculation,
  k.unit,
  k.direction,
  v.value,
  k.target_value,
  case
    when v.value is null or k.target_value is null then null
    when k.direction = 'higher_is_better' then v.value >= k.target_value
    else v.value <= k.target_value
  end as on_target
from public.kpi_metrics k
left join kpi_values v on v.calculation = k.calculation
where k.is_active;
