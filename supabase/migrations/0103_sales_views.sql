-- Sales views. security_invoker: a reader sees only what row-level security lets them see.

-- Count and value of leads per pipeline stage, every stage listed even when empty.
create view public.v_sales_pipeline_overview
with (security_invoker = true) as
select
  ps.stage_id,
  ps.name as stage_name,
  ps.sequence,
  ps.outcome,
  count(l.id)::integer as lead_count,
  coalesce(sum(l.expected_value), 0)::numeric(14, 2) as total_expected_value
from public.sales_pipeline_stages ps
left join public.sales_leads l on l.stage_id = ps.stage_id
where ps.is_active
group by ps.stage_id, ps.name, ps.sequence, ps.outcome;

-- Activities per lead owner. Leads without an owner are grouped under a null owner.
create view public.v_sales_activity_summary
with (security_invoker = true) as
select
  l.owner_id,
  p.full_name as owner_name,
  count(a.id)::integer as activity_count,
  count(distinct a.lead_id)::integer as leads_touched,
  count(a.id) filter (where a.type = 'call')::integer as calls,
  count(a.id) filter (where a.type = 'email')::integer as emails,
  count(a.id) filter (where a.type in ('meeting', 'demo'))::integer as meetings,
  max(a.activity_date) as last_activity_date
from public.sales_activities a
join public.sales_leads l on l.id = a.lead_id
left join public.profiles p on p.id = l.owner_id
group by l.owner_id, p.full_name;
