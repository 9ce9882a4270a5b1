-- The sample leads that are won or lost closed some time between their creation and today (the
-- closed_at trigger would otherwise date them all to the moment of seeding), so won value per month
-- has a history. Deterministic per lead and day, so seeding again the same day changes nothing.
update public.sales_leads l
set closed_at = c.closed_at
from (
  select id, created_at + make_interval(days => (current_date - created_at::date) * (abs(hashtext('close:' || id::text)) % 100) / 100) as closed_at
  from public.sales_leads
  where status <> 'open' and id in (select md5('lead:' || i)::uuid from generate_series(1, 60) as i)
) c
where l.id = c.id and l.closed_at is distinct from c.closed_at;
