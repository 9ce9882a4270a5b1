-- Row-level security on every table of the exposed schema, one policy per command, to authenticated.
-- anon has no grants at all (02_grants.sql), so it is refused before any policy is looked at.
-- The permission matrix these express is in docs/security.md.

-- Replaces every policy of a table with one per command; a null expression means no policy, so that
-- command is refused (insert) or sees no rows (select, update, delete). Re-applicable by design.
create or replace procedure private.set_policies(
  target regclass, select_using text, insert_check text, update_using text, delete_using text)
language plpgsql
set search_path = ''
as $$
declare
  existing record;
begin
  for existing in select polname from pg_catalog.pg_policy where polrelid = target loop
    execute format('drop policy %I on %s', existing.polname, target);
  end loop;

  execute format('alter table %s enable row level security', target);
  if select_using is not null then
    execute format('create policy select_policy on %s for select to authenticated using (%s)', target, select_using);
  end if;
  if insert_check is not null then
    execute format('create policy insert_policy on %s for insert to authenticated with check (%s)', target, insert_check);
  end if;
  if update_using is not null then
    execute format('create policy update_policy on %s for update to authenticated using (%s) with check (%s)', target, update_using, update_using);
  end if;
  if delete_using is not null then
    execute format('create policy delete_policy on %s for delete to authenticated using (%s)', target, delete_using);
  end if;
end
$$;

-- A table read with one permission (null: every signed-in user) and changed with another.
create or replace procedure private.set_domain_policies(target regclass, read_permission text, edit_permission text)
language plpgsql
set search_path = ''
as $$
declare
  can_read text := case when read_permission is null then 'true' else format('(select private.has_permission(%L))', read_permission) end;
  can_edit text := format('(select private.has_permission(%L))', edit_permission);
begin
  call private.set_policies(target, can_read, can_edit, can_edit, can_edit);
end
$$;

-- Reference data every signed-in user may read; changed by edit_master_data.
call private.set_domain_policies('public.countries', null, 'edit_master_data');
call private.set_domain_policies('public.currencies', null, 'edit_master_data');
call private.set_domain_policies('public.sales_stages', null, 'edit_master_data');
call private.set_domain_policies('public.expense_categories', null, 'edit_master_data');
call private.set_domain_policies('public.sales_pipeline_stages', null, 'edit_master_data');
call private.set_domain_policies('public.sales_reasons', null, 'edit_master_data');
call private.set_domain_policies('public.ops_sla', null, 'edit_master_data');
call private.set_domain_policies('public.ops_ticket_statuses', null, 'edit_master_data');

-- RBAC tables: everyone may read the catalogue (the UI shows role names); manage_users changes it.
call private.set_domain_policies('public.roles', null, 'manage_users');
call private.set_domain_policies('public.permissions', null, 'manage_users');
call private.set_domain_policies('public.role_permissions', null, 'manage_users');

-- Profiles: one's own, or all with manage_users. Changing a role_id needs manage_users too; the
-- trigger below enforces that, since a policy cannot compare old and new values of a column.
call private.set_policies('public.profiles',
  'id = (select auth.uid()) or (select private.has_permission(''manage_users''))',
  '(select private.has_permission(''manage_users''))',
  'id = (select auth.uid()) or (select private.has_permission(''manage_users''))',
  '(select private.has_permission(''manage_users''))');

create or replace function private.guard_profile_role()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.role_id is distinct from old.role_id
     and current_user in ('authenticated', 'anon')
     and not private.has_permission('manage_users') then
    raise exception 'only users with manage_users may change a role_id'
      using errcode = '42501', detail = format('profile %s', old.id);
  end if;
  return new;
end
$$;

drop trigger if exists guard_profile_role on public.profiles;
create trigger guard_profile_role before update of role_id on public.profiles
  for each row execute function private.guard_profile_role();

-- Sales: one's own leads, or all of them with read_all_sales_leads. Editing another's lead needs
-- both edit_sales_leads and read_all_sales_leads.
--
-- Written as a range of visible owner ids rather than "read_all OR owner_id = me": the planner cannot
-- use the owner_id index through an OR with a flag, so that form scans every lead (measured 8.5x the
-- cost of the same query without RLS on 100,000 leads; see docs/benchmarks.md). The range is the
-- whole uuid space with read_all_sales_leads, just the user's id with read_sales_leads, and empty
-- (null bounds) otherwise. Unowned leads are visible with read_all_sales_leads only.
create or replace function private.visible_lead_owner(bound text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when bool_or(pm.name = 'read_all_sales_leads') then
      case bound when 'low' then '00000000-0000-0000-0000-000000000000'::uuid else 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid end
    when bool_or(pm.name = 'read_sales_leads') then p.id
  end
  from public.profiles p
  join public.role_permissions rp on rp.role_id = p.role_id
  join public.permissions pm on pm.id = rp.permission_id
  where p.id = (select auth.uid()) and pm.name in ('read_all_sales_leads', 'read_sales_leads')
  group by p.id
$$;

revoke all on function private.visible_lead_owner(text) from public, anon;
grant execute on function private.visible_lead_owner(text) to authenticated, service_role;

call private.set_policies('public.sales_leads',
  'owner_id between (select private.visible_lead_owner(''low'')) and (select private.visible_lead_owner(''high''))
   or (owner_id is null and (select private.has_permission(''read_all_sales_leads'')))',
  '(select private.has_permission(''edit_sales_leads'')) and (
     owner_id between (select private.visible_lead_owner(''low'')) and (select private.visible_lead_owner(''high''))
     or (owner_id is null and (select private.has_permission(''read_all_sales_leads''))))',
  '(select private.has_permission(''edit_sales_leads'')) and (
     owner_id between (select private.visible_lead_owner(''low'')) and (select private.visible_lead_owner(''high''))
     or (owner_id is null and (select private.has_permission(''read_all_sales_leads''))))',
  '(select private.has_permission(''edit_sales_leads'')) and (
     owner_id between (select private.visible_lead_owner(''low'')) and (select private.visible_lead_owner(''high''))
     or (owner_id is null and (select private.has_permission(''read_all_sales_leads''))))');

-- Activities follow their lead: the sub-select on sales_leads is itself filtered by its policy.
call private.set_policies('public.sales_activities',
  'exists (select 1 from public.sales_leads l where l.id = lead_id)',
  '(select private.has_permission(''edit_sales_leads'')) and exists (select 1 from public.sales_leads l where l.id = lead_id)',
  '(select private.has_permission(''edit_sales_leads'')) and exists (select 1 from public.sales_leads l where l.id = lead_id)',
  '(select private.has_permission(''edit_sales_leads'')) and exists (select 1 from public.sales_leads l where l.id = lead_id)');

-- Marketing.
call private.set_domain_policies('public.marketing_campaigns', 'read_marketing_data', 'edit_marketing_data');
call private.set_domain_policies('public.offline_events', 'read_marketing_data', 'edit_marketing_data');
call private.set_domain_policies('public.seo_sem_campaigns', 'read_marketing_data', 'edit_marketing_data');
call private.set_domain_policies('public.website_analytics', 'read_marketing_data', 'edit_marketing_data');
call private.set_domain_policies('public.digital_channels', 'read_marketing_data', 'edit_marketing_data');
call private.set_domain_policies('public.content_pieces', 'read_marketing_data', 'edit_marketing_data');
call private.set_domain_policies('public.marketing_attribution', 'read_marketing_data', 'edit_marketing_data');

-- Operations. Transitions are written by trigger only (no grants to change them).
call private.set_domain_policies('public.ops_tickets', 'read_ops_tickets', 'edit_ops_tickets');
call private.set_domain_policies('public.ops_ticket_assignees', 'read_ops_tickets', 'edit_ops_tickets');
call private.set_policies('public.ops_ticket_transitions', '(select private.has_permission(''read_ops_tickets''))', null, null, null);

-- Finance.
call private.set_domain_policies('public.accounts', 'read_finance_data', 'edit_finance_data');
call private.set_domain_policies('public.customers', 'read_finance_data', 'edit_finance_data');
call private.set_domain_policies('public.finance_transactions', 'read_finance_data', 'edit_finance_data');
call private.set_domain_policies('public.finance_margin', 'read_finance_data', 'edit_finance_data');

-- KPI definitions: readable with read_kpis for the domains one may read.
call private.set_policies('public.kpi_metrics',
  '(select private.has_permission(''read_kpis'')) and (
      (domain = ''sales'' and (select private.has_permission(''read_sales_leads'')))
   or (domain = ''marketing'' and (select private.has_permission(''read_marketing_data'')))
   or (domain = ''operations'' and (select private.has_permission(''read_ops_tickets'')))
   or (domain = ''finance'' and (select private.has_permission(''read_finance_data''))))',
  '(select private.has_permission(''manage_kpi_definitions''))',
  '(select private.has_permission(''manage_kpi_definitions''))',
  '(select private.has_permission(''manage_kpi_definitions''))');

-- KPI targets: readable with the KPI they belong to (the sub-select is filtered by kpi_metrics'
-- policy); changed with manage_kpi_definitions.
call private.set_policies('public.kpi_targets',
  'exists (select 1 from public.kpi_metrics k where k.id = kpi_id)',
  '(select private.has_permission(''manage_kpi_definitions''))',
  '(select private.has_permission(''manage_kpi_definitions''))',
  '(select private.has_permission(''manage_kpi_definitions''))');

-- The audit trail: admins read it; nobody writes it but the audit trigger.
call private.set_policies('public.audit_logs', '(select private.has_permission(''read_audit_logs''))', null, null, null);

-- Indexes for every column a policy filters on (owner_id, lead_id, profile id, role_id and domain
-- are indexed by their migrations; these cover the permission helpers' joins).
create index if not exists role_permissions_role_id_idx on public.role_permissions (role_id);
