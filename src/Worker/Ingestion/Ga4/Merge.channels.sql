-- Writes one slice of the GA4 channel report (staged in ga4_stage) into digital_channels as the
-- property's rows (@source); see Merge.website.sql. A NULL cost means GA4 gave no cost (blocked).
with stage as (
  select * from ga4_stage
),
revisions as (
  insert into worker.ga4_revisions (sync_run_id, property_id, table_name, day, dimension, metric, old_value, new_value)
  select @runId, @propertyId, 'digital_channels', s.report_date, s.channel_name, m.metric, m.old_value, m.new_value
  from stage s
  join public.digital_channels t on t.report_date = s.report_date and t.channel_name = s.channel_name and t.source = @source
  cross join lateral (values
    ('visits', t.visits::numeric, s.visits::numeric),
    ('conversions', t.conversions, s.conversions),
    ('leads', t.leads::numeric, s.leads::numeric),
    ('cost', t.cost, s.cost)
  ) as m (metric, old_value, new_value)
  where m.old_value is distinct from m.new_value
  returning day
),
deleted as (
  delete from public.digital_channels t
  where t.source = @source and t.report_date between @from and @to
    and not exists (select 1 from stage s where s.report_date = t.report_date and s.channel_name = t.channel_name)
  returning 1
),
upserted as (
  insert into public.digital_channels as t (report_date, channel_name, source, visits, conversions, leads, cost)
  select report_date, channel_name, @source, visits, conversions, leads, cost from stage
  on conflict (report_date, channel_name, source) do update
    set visits = excluded.visits, conversions = excluded.conversions, leads = excluded.leads, cost = excluded.cost
    where (t.visits, t.conversions, t.leads, t.cost) is distinct from (excluded.visits, excluded.conversions, excluded.leads, excluded.cost)
  returning (xmax = 0) as inserted
)
select
  (select count(*) from upserted where inserted) as inserted,
  (select count(*) from upserted where not inserted) as updated,
  (select count(*) from deleted) as deleted,
  (select count(*) from revisions) as revisions,
  (select count(distinct day) from revisions) as daysrevised
