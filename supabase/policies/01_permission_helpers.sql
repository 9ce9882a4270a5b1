-- Permission helpers for row-level security. security definer with an empty search_path, so a
-- caller cannot shadow the tables they read; in schema "private", which the API does not expose.
-- Policies call them wrapped in a sub-select, (select private.has_permission('x')), so they run
-- once per statement instead of once per row.

-- All permissions of the signed-in user: what the dashboard and upload endpoints check.
create or replace function private.my_permissions()
returns setof text
language sql
stable
security definer
set search_path = ''
as $$
  select pm.name
  from public.profiles p
  join public.role_permissions rp on rp.role_id = p.role_id
  join public.permissions pm on pm.id = rp.permission_id
  where p.id = (select auth.uid())
$$;

-- Does the signed-in user's role hold this permission?
create or replace function private.has_permission(permission_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from private.my_permissions() granted where granted = permission_name)
$$;

grant usage on schema private to authenticated, service_role;
revoke all on all functions in schema private from public, anon;
grant execute on function private.has_permission(text), private.my_permissions()
  to authenticated, service_role;
