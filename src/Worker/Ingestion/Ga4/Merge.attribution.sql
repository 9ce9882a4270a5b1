-- Writes one slice of the GA4 attribution reports (first-touch and last-touch rows staged in
-- ga4_stage) into marketing_attribution as the property's rows (@source); see Merge.website.sql.
-- assisted_conversions is never written: GA4 has none, uploads own it (their rows are source 'csv').
with stage as (
  select report_date, channel, sum(first_touch) as first_touch, sum(last_touch) as last_touch
  from ga4_stage group by report_date, channel
),
revisions as (
  insert into worker.ga4_revisions (sync_run_id, property_id, table_name, day, dimension, metric, old_value, new_value)
  select @runId, @propertyId, 'marketing_attribution', s.report_date, s.channel, m.metric, m.old_value, m.new_value
  from stage s
  join public.marketing_attribution t on t.report_date = s.report_date and t.channel = s.channel and t.source = @source
  cross join lateral (values
    ('first_touch_conversions', t.first_touch_conversions, s.first_touch),
    ('last_touch_conversions', t.last_touch_conversions, s.last_touch)
  ) as m (metric, old_value, new_value)
  where m.old_value is distinct from m.new_value
  returning day
),
deleted as (
  delete from public.marketing_attribution t
  where t.source = @source and t.report_date between @from and @to
    and not exists (select 1 from stage s where s.report_date = t.report_date and s.channel = t.channel)
  returning 1
),
upserted as (
  insert into public.marketing_attribution as t (report_date, channel, source, first_touch_conversions, last_touch_conversions)
  select report_date, channel, @source, first_touch, last_touch from stage
  on conflict (report_date, channel, source) do update
    set first_touch_conversions = excluded.first_touch_conversions, last_touch_conversions = excluded.last_touch_conversions
    where (t.first_touch_conversions, t.last_touch_conversions) is distinct from (excluded.first_touch_conversions, excluded.last_touch_conversions)
  returning (xmax = 0) as inserted
)
select
  (select count(*) from upserted where inserted) as inserted,
  (select count(*) from upserted where not inserted) as updated,
  (select count(*) from deleted) as deleted,
  (select count(*) from revisions) as revisions,
  (select count(distinct day) from revisions) as daysrevised
