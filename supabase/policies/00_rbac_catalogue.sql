-- The RBAC catalogue: the built-in roles, every permission and which role holds which.
-- It lives with the policies, not the seed, because the policies depend on these names in every
-- environment (hosted Supabase never runs seed files). Re-applicable: it upserts and prunes the
-- built-in roles' mappings to exactly this list; roles an admin adds later are left alone.
-- The matrix is documented in docs/security.md.
-- Built-in roles have fixed ids (md5 of 'role:<name>'), the same in every environment.
insert into public.roles (id, name, description)
select md5('role:' || v.name)::uuid, v.name, v.description
from (values
  ('director', 'Reads every domain and every KPI; edits nothing; views job runs read-only'),
  ('admin', 'Does everything, including user and role management'),
  ('sales', 'Reads and edits the sales domain (own leads only)'),
  ('marketing', 'Reads and edits the marketing domain; uploads marketing data'),
  ('ops', 'Reads and edits the operations domain; views and acts on job runs'),
  ('finance', 'Reads and edits the finance domain')
) as v (name, description)
on conflict (name) do update set description = excluded.description
  where roles.description is distinct from excluded.description;

insert into public.permissions (name, description) values
  ('read_sales_leads', 'Read sales leads (own leads, unless read_all_sales_leads), activities and sales views'),
  ('read_all_sales_leads', 'Read every sales lead and activity, not only those one owns'),
  ('edit_sales_leads', 'Create, change and delete sales leads and activities (own leads, unless read_all_sales_leads)'),
  ('read_marketing_data', 'Read campaigns, events, keywords, analytics, channels, content and attribution'),
  ('edit_marketing_data', 'Create, change and delete marketing records'),
  ('upload_marketing_data', 'Upload marketing CSV exports to the worker'),
  ('read_ops_tickets', 'Read tickets, SLAs, statuses, transitions and ops views'),
  ('edit_ops_tickets', 'Create, change and delete tickets and their workflow'),
  ('read_finance_data', 'Read accounts, customers, transactions, margins and finance views'),
  ('edit_finance_data', 'Create, change and delete finance records'),
  ('edit_master_data', 'Change reference data: countries, currencies, stages, categories, SLAs, statuses'),
  ('read_kpis', 'Read KPI definitions and values of the domains one may read'),
  ('manage_kpi_definitions', 'Create, change and delete KPI definitions and targets'),
  ('view_job_runs', 'View the Hangfire dashboard and job run history (read-only)'),
  ('act_on_job_runs', 'Trigger, retry and delete job runs in the dashboard'),
  ('manage_users', 'Manage profiles and their roles, roles and permissions'),
  ('read_audit_logs', 'Read the audit trail'),
  ('receive_kpi_digest', 'Receive the scheduled KPI digest by e-mail (the KPIs one may read)')
on conflict (name) do update set description = excluded.description
  where permissions.description is distinct from excluded.description;

drop table if exists pg_temp.rbac_matrix;
create temporary table rbac_matrix (role_name text, permission_name text);
insert into rbac_matrix (role_name, permission_name)
select 'admin', name from public.permissions where name <> 'receive_kpi_digest' -- admins subscribe themselves if they want it
union all
select 'director', unnest(array[
  'read_sales_leads', 'read_all_sales_leads', 'read_marketing_data', 'read_ops_tickets',
  'read_finance_data', 'read_kpis', 'view_job_runs', 'receive_kpi_digest'])
union all
select 'sales', unnest(array['read_sales_leads', 'edit_sales_leads', 'read_kpis'])
union all
select 'marketing', unnest(array['read_marketing_data', 'edit_marketing_data', 'upload_marketing_data', 'read_kpis'])
union all
select 'ops', unnest(array['read_ops_tickets', 'edit_ops_tickets', 'read_kpis', 'view_job_runs', 'act_on_job_runs'])
union all
select 'finance', unnest(array['read_finance_data', 'edit_finance_data', 'read_kpis']);

insert into public.role_permissions (role_id, permission_id)
select r.id, p.id
from rbac_matrix m
join public.roles r on r.name = m.role_name
join public.permissions p on p.name = m.permission_name
on conflict do nothing;

delete from public.role_permissions rp
using public.roles r, public.permissions p
where rp.role_id = r.id and rp.permission_id = p.id
  and r.name in ('director', 'admin', 'sales', 'marketing', 'ops', 'finance')
  and not exists (select from rbac_matrix m where m.role_name = r.name and m.permission_name = p.name);

drop table pg_temp.rbac_matrix;
