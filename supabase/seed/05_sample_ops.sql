-- 40 tickets over the last 60 days: open ones in every open status, closed ones resolved within and
-- beyond their SLA. Historical tickets carry their own closed_at, which the trigger keeps.
insert into public.ops_tickets (id, reporter_id, assignee_id, status_id, priority, subject, description, sla_id, created_at, closed_at)
select
  md5('ticket:' || i)::uuid,
  md5('user:' || (array['sales', 'marketing', 'finance', 'director'])[1 + i % 4])::uuid,
  md5('user:ops')::uuid,
  (select id from public.ops_ticket_statuses where code = t.status),
  t.priority,
  'Ticket ' || i || ': ' || (array['Login problem', 'Report is slow', 'Data looks wrong', 'Access request', 'Export failed'])[1 + i % 5],
  null,
  (select id from public.ops_sla where priority_level = t.priority),
  t.created_at,
  case when t.status in ('resolved', 'closed') then t.created_at + make_interval(hours => 1 + abs(hashtext('h:' || i)) % 120) end
from generate_series(1, 40) as i
cross join lateral (
  select
    (array['new', 'open', 'in_progress', 'waiting', 'resolved', 'closed', 'closed', 'resolved'])[1 + i % 8] as status,
    (array['low', 'medium', 'high', 'critical'])[1 + i % 4] as priority,
    now() - make_interval(days => 1 + (i * 7) % 60, hours => i % 24) as created_at
) t
on conflict do nothing;

-- Assignment history: every ticket held by ops; every fourth first held by the admin and handed over.
insert into public.ops_ticket_assignees (id, ticket_id, assignee_id, assigned_at, unassigned_at)
select md5('assignment:' || i || ':' || a.who)::uuid, md5('ticket:' || i)::uuid, md5('user:' || a.who)::uuid,
  t.created_at + a.after, t.created_at + a.until
from generate_series(1, 40) as i
join public.ops_tickets t on t.id = md5('ticket:' || i)::uuid
cross join lateral (values ('admin', interval '0 hours', interval '1 hour'), ('ops', interval '1 hour', null::interval)) as a (who, after, until)
where a.who = 'ops' or i % 4 = 0
on conflict do nothing;
