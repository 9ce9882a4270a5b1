-- Definitions made before the KPI layer named the computations v_all_kpis (0502) knew. Point each at
-- its kpi function, with the grain and aggregation it now needs, so an existing database keeps its
-- KPIs (and any targets an admin set). A fresh database gets the same definitions from the seed.
update public.kpi_metrics k
set name = m.name, calculation = m.calculation, grain = 'month', aggregation = m.aggregation, display_format = m.display_format
from (values
  ('sales_open_pipeline_value', 'Open pipeline value', 'sales_open_pipeline_value', 'level', 'currency'),
  ('sales_win_rate', 'Win rate', 'sales_win_rate', 'ratio', 'percent'),
  ('sales_activities_last_30_days', 'Sales activities', 'sales_activities', 'additive', 'integer'),
  ('marketing_leads_last_30_days', 'Leads', 'marketing_leads', 'additive', 'integer'),
  ('marketing_cost_per_lead_last_30_days', 'Cost per lead', 'marketing_cost_per_lead', 'ratio', 'currency'),
  ('marketing_roi_previous_month', 'Marketing ROI', 'marketing_roi', 'ratio', 'percent'),
  ('ops_open_tickets', 'Open tickets', 'ops_open_backlog', 'level', 'integer'),
  ('ops_avg_resolution_hours', 'Average resolution time', 'ops_average_resolution_hours', 'ratio', 'hours'),
  ('ops_sla_compliance', 'SLA compliance', 'ops_sla_compliance', 'ratio', 'percent'),
  ('finance_revenue_previous_month', 'Revenue', 'finance_revenue', 'additive', 'currency'),
  ('finance_gross_margin_pct_latest', 'Gross margin', 'finance_gross_margin', 'ratio', 'percent'),
  ('finance_ar_overdue_90_plus', 'Receivables 90+ days', 'finance_ar_90_plus', 'level', 'currency')
) as m (old_calculation, name, calculation, aggregation, display_format)
where k.calculation = m.old_calculation
  and not exists (select from public.kpi_metrics other where other.name = m.name and other.id <> k.id);
