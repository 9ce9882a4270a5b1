-- Default KPI definitions, at least three per domain, each naming a function of schema kpi
-- (supabase/migrations/0703_kpi_functions.sql). Fixed ids, md5('kpi:<calculation>'). Targets are
-- examples for development; admins (manage_kpi_definitions) set the real ones. Existing definitions
-- (by name) are left as an admin may have changed them.
insert into public.kpi_metrics (id, domain, name, description, calculation, target_value, unit, direction, grain, aggregation, display_format, amber_tolerance, sort_order)
select md5('kpi:' || v.calculation)::uuid, v.domain, v.name, v.description, v.calculation, v.target, v.unit, v.direction, 'month', v.aggregation, v.display_format, v.tolerance, v.sort_order
from (values
  ('sales', 'Won value', 'Expected value of the leads won in the period', 'sales_won_value', 60000, 'currency', 'higher_is_better', 'additive', 'currency', 0.10, 10),
  ('sales', 'New leads', 'Leads created in the period', 'sales_new_leads', 20, 'count', 'higher_is_better', 'additive', 'integer', 0.10, 20),
  ('sales', 'Open pipeline value', 'Expected value of the leads open at the end of the period', 'sales_open_pipeline_value', 500000, 'currency', 'higher_is_better', 'level', 'currency', 0.10, 30),
  ('sales', 'Win rate', 'Leads won / leads won or lost in the period', 'sales_win_rate', 0.5, 'ratio', 'higher_is_better', 'ratio', 'percent', 0.10, 40),
  ('sales', 'Sales activities', 'Calls, emails, meetings and other activities logged in the period', 'sales_activities', 60, 'count', 'higher_is_better', 'additive', 'integer', 0.10, 50),
  ('marketing', 'Leads', 'Leads from digital channels and offline events in the period', 'marketing_leads', 900, 'count', 'higher_is_better', 'additive', 'integer', 0.05, 10),
  ('marketing', 'Cost per lead', 'Channel cost / leads in the period', 'marketing_cost_per_lead', 30, 'currency', 'lower_is_better', 'ratio', 'currency', 0.10, 20),
  ('marketing', 'Sessions', 'Website sessions in the period', 'marketing_sessions', 55000, 'count', 'higher_is_better', 'additive', 'integer', 0.05, 30),
  ('marketing', 'Conversion rate', 'Channel conversions / channel visits in the period', 'marketing_conversion_rate', 0.02, 'ratio', 'higher_is_better', 'ratio', 'percent', 0.10, 40),
  ('marketing', 'Average daily users', 'Mean of the days'' distinct users (users are never summed across days)', 'marketing_average_daily_users', 1400, 'count', 'higher_is_better', 'ratio', 'integer', 0.05, 50),
  ('marketing', 'Marketing ROI', '(Value now won of the leads created in the period - channel cost) / cost', 'marketing_roi', 1, 'ratio', 'higher_is_better', 'ratio', 'percent', 0.20, 60),
  ('operations', 'Open tickets', 'Tickets open at the end of the period', 'ops_open_backlog', 20, 'count', 'lower_is_better', 'level', 'integer', 0.20, 10),
  ('operations', 'SLA compliance', 'Tickets closed within their SLA / tickets closed in the period', 'ops_sla_compliance', 0.9, 'ratio', 'higher_is_better', 'ratio', 'percent', 0.05, 20),
  ('operations', 'Average resolution time', 'Hours from creation to close, averaged over the tickets closed in the period', 'ops_average_resolution_hours', 48, 'hours', 'lower_is_better', 'ratio', 'hours', 0.10, 30),
  ('operations', 'Tickets closed', 'Tickets closed in the period', 'ops_tickets_closed', 15, 'count', 'higher_is_better', 'additive', 'integer', 0.10, 40),
  ('finance', 'Revenue', 'Invoiced minus refunded in the period', 'finance_revenue', 60000, 'currency', 'higher_is_better', 'additive', 'currency', 0.05, 10),
  ('finance', 'Expenses', 'Expenses booked in the period', 'finance_expenses', 95000, 'currency', 'lower_is_better', 'additive', 'currency', 0.05, 20),
  ('finance', 'Gross margin', '(Revenue - cost of goods sold) / revenue of the margin periods ending in the period', 'finance_gross_margin', 0.55, 'ratio', 'higher_is_better', 'ratio', 'percent', 0.05, 30),
  ('finance', 'Receivables 90+ days', 'Amount due on invoices 90 or more days past due at the end of the period', 'finance_ar_90_plus', 10000, 'currency', 'lower_is_better', 'level', 'currency', 0.25, 40)
) as v (domain, name, description, calculation, target, unit, direction, aggregation, display_format, tolerance, sort_order)
on conflict do nothing;

-- One open-ended target per KPI, except marketing leads, whose target rose from 800 to 900 at the
-- start of last month: the history keeps 800 for earlier months. Only for KPIs without targets yet,
-- so seeding on a later day adds nothing.
insert into public.kpi_targets (kpi_id, effective_from, target_value, note)
select k.id, t.effective_from, t.target_value, t.note
from public.kpi_metrics k
cross join lateral (
  select date '2000-01-01' as effective_from,
    case when k.calculation = 'marketing_leads' then 800 else k.target_value end as target_value,
    'development default' as note
  union all
  select (date_trunc('month', current_date) - interval '1 month')::date, 900, 'raised for the new campaign season'
  where k.calculation = 'marketing_leads'
) t
where k.id = md5('kpi:' || k.calculation)::uuid
  and not exists (select from public.kpi_targets x where x.kpi_id = k.id);
