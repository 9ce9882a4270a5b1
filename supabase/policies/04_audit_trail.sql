-- Audit trail: every insert, update and delete of a table in public lands in audit_logs with the
-- actor (the signed-in user, else the worker job named in worker.actor, else the database role), the
-- action, the record id and the changed fields ({"field": {"old": ..., "new": ...}} for updates, the
-- whole row for inserts and deletes).
--
-- Bulk loads by the worker set worker.audit = 'batch' for their transaction and write one summary row
-- per batch themselves: a per-row trail of a million-row file would cost more than the load.
create or replace function private.audit_row_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  old_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
  new_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
  changed jsonb;
begin
  if tg_op = 'UPDATE' then
    select coalesce(jsonb_object_agg(n.key, jsonb_build_object('old', old_row -> n.key, 'new', n.value)), '{}'::jsonb)
    into changed
    from jsonb_each(new_row) n
    where n.key <> 'updated_at' and n.value is distinct from old_row -> n.key;
    if changed = '{}'::jsonb then
      return null; -- nothing but updated_at changed
    end if;
  else
    changed := coalesce(new_row, old_row);
  end if;

  insert into public.audit_logs (actor_id, actor_role, action, table_name, record_id, changes)
  values (
    (select auth.uid()),
    coalesce(nullif(current_setting('worker.actor', true), ''), (select auth.role()), session_user::text),
    tg_op,
    tg_table_name,
    coalesce(new_row, old_row) ->> 'id',
    changed);
  return null;
end
$$;

-- Attach to every table of public but the trail itself; re-applying keeps exactly one trigger each.
do $$
declare
  t record;
begin
  for t in
    select c.oid::regclass as target
    from pg_catalog.pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and c.relname <> 'audit_logs'
  loop
    execute format('drop trigger if exists audit_row_change on %s', t.target);
    execute format(
      'create trigger audit_row_change after insert or update or delete on %s for each row '
      'when (current_setting(''worker.audit'', true) is distinct from ''batch'') '
      'execute function private.audit_row_change()', t.target);
  end loop;
end
$$;

-- Nobody edits the trail, not even roles that bypass grants and row-level security.
create or replace function private.forbid_audit_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'audit_logs is append-only' using errcode = '42501';
end
$$;

drop trigger if exists forbid_audit_change on public.audit_logs;
create trigger forbid_audit_change before update or delete on public.audit_logs
  for each row execute function private.forbid_audit_change();
