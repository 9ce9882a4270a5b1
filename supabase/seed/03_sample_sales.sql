-- 60 leads spread over every stage and both sales users, with activities over the last 90 days.
insert into public.sales_leads (id, owner_id, company, contact_name, stage_id, expected_value, status, reason_id, created_at)
select
  md5('lead:' || i)::uuid,
  case when i % 3 = 0 then md5('user:sales2')::uuid else md5('user:sales')::uuid end,
  'Company ' || lpad(i::text, 3, '0'),
  'Contact ' || i,
  md5('stage:' || stage)::uuid,
  (1000 + abs(hashtext('value:' || i)) % 49000)::numeric(14, 2),
  case stage when 'won' then 'won' when 'lost' then 'lost' else 'open' end,
  case stage
    when 'lost' then (select id from public.sales_reasons where category = 'lost' and name = 'Price too high')
    when 'won' then (select id from public.sales_reasons where category = 'won' and name = 'Best product fit')
  end,
  (current_date - (i * 3 % 90))::timestamptz
from generate_series(1, 60) as i
cross join lateral (
  select (array['prospecting', 'qualified', 'proposal', 'negotiation', 'won', 'lost'])[1 + i % 6] as stage
) s
on conflict (id) do nothing;

insert into public.sales_activities (id, lead_id, type, note, activity_date)
select
  md5('activity:' || i || ':' || n)::uuid,
  md5('lead:' || i)::uuid,
  (array['call', 'email', 'meeting', 'demo', 'note', 'task'])[1 + (i + n) % 6],
  'Follow-up ' || n,
  current_date - ((i * 3 + n * 7) % 90)
from generate_series(1, 60) as i
cross join generate_series(1, 1 + i % 4) as n
on conflict (id) do nothing;
