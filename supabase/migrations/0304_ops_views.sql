-- Operations views. A ticket breaches its SLA when it took (or, still open, has taken) longer
-- than the SLA's resolution target.
create view public.v_ops_overview
with (security_invoker = true) as
select
  sla.id as sla_id,
  sla.name as sla_name,
  sla.priority_level,
  sla.resolution_target_hours,
  count(t.id) filter (where t.closed_at is null)::integer as open_tickets,
  count(t.id) filter (where t.closed_at is not null)::integer as closed_tickets,
  count(t.id) filter (
    where coalesce(t.closed_at, now()) - t.created_at > make_interval(secs => sla.resolution_target_hours * 3600)
  )::integer as breached_tickets
from public.ops_sla sla
left join public.ops_tickets t on t.sla_id = sla.id
group by sla.id, sla.name, sla.priority_level, sla.resolution_target_hours;

-- Resolution time of closed tickets per SLA, in hours.
create view public.v_ops_average_resolution_time
with (security_invoker = true) as
select
  sla.id as sla_id,
  sla.name as sla_name,
  sla.priority_level,
  count(t.id)::integer as closed_tickets,
  round(avg(extract(epoch from t.closed_at - t.created_at) / 3600)::numeric, 2) as avg_resolution_hours,
  round(
    (count(t.id) filter (
      where t.closed_at - t.created_at <= make_interval(secs => sla.resolution_target_hours * 3600)
    ))::numeric / nullif(count(t.id), 0),
    4
  ) as within_sla_ratio
from public.ops_sla sla
left join public.ops_tickets t on t.sla_id = sla.id and t.closed_at is not null
group by sla.id, sla.name, sla.priority_level;
