create index sales_leads_owner_id_idx on public.sales_leads (owner_id);
create index sales_leads_stage_id_idx on public.sales_leads (stage_id);
create index sales_leads_status_idx on public.sales_leads (status);
create index sales_leads_reason_id_idx on public.sales_leads (reason_id);
create index sales_activities_lead_id_idx on public.sales_activities (lead_id, activity_date);
