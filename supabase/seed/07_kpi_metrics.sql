-- Default KPI definitions, one set per domain. Targets are examples for development; admins
-- (manage_kpi_definitions) set the real ones.
insert into public.kpi_metrics (domain, name, description, calculation, target_value, unit, direction) values
  ('sales', 'Open pipeline value', 'Expected value of all open leads', 'sales_open_pipeline_value', 500000, 'currency', 'higher_is_better'),
  ('sales', 'Win rate', 'Won leads / (won + lost leads)', 'sales_win_rate', 0.5, 'ratio', 'higher_is_better'),
  ('sales', 'Sales activities (30 days)', 'Calls, emails, meetings and other activities logged in the last 30 days', 'sales_activities_last_30_days', 60, 'count', 'higher_is_better'),
  ('marketing', 'Leads (30 days)', 'Leads from digital channels in the last 30 days', 'marketing_leads_last_30_days', 900, 'count', 'higher_is_better'),
  ('marketing', 'Cost per lead (30 days)', 'Digital channel cost / leads in the last 30 days', 'marketing_cost_per_lead_last_30_days', 30, 'currency', 'lower_is_better'),
  ('marketing', 'Marketing ROI (previous month)', '(Revenue of won leads created in the month - cost) / cost', 'marketing_roi_previous_month', 1, 'ratio', 'higher_is_better'),
  ('operations', 'Open tickets', 'Tickets not in a closed status', 'ops_open_tickets', 20, 'count', 'lower_is_better'),
  ('operations', 'Average resolution time', 'Mean hours from creation to close of closed tickets', 'ops_avg_resolution_hours', 48, 'hours', 'lower_is_better'),
  ('operations', 'SLA compliance', 'Share of closed tickets resolved within their SLA', 'ops_sla_compliance', 0.9, 'ratio', 'higher_is_better'),
  ('finance', 'Revenue (previous month)', 'Invoiced revenue minus refunds in the last complete month', 'finance_revenue_previous_month', 60000, 'currency', 'higher_is_better'),
  ('finance', 'Gross margin (latest period)', 'Gross margin share of the latest finance_margin period', 'finance_gross_margin_pct_latest', 0.55, 'ratio', 'higher_is_better'),
  ('finance', 'Receivables 90+ days', 'Amount due on invoices 90 or more days past due', 'finance_ar_overdue_90_plus', 10000, 'currency', 'lower_is_better')
on conflict do nothing;
