-- Writes one slice of the GA4 website report (staged in ga4_stage) into website_analytics as the
-- property's rows (@source): days whose numbers moved are recorded as revisions first (all CTEs read
-- the table as it was before this statement), days GA4 no longer returns are removed, changed days
-- updated, new days inserted. Unchanged days are not written at all.
with stage as (
  select * from ga4_stage
),
revisions as (
  insert into worker.ga4_revisions (sync_run_id, property_id, table_name, day, dimension, metric, old_value, new_value)
  select @runId, @propertyId, 'website_analytics', s.date, '', m.metric, m.old_value, m.new_value
  from stage s
  join public.website_analytics t on t.date = s.date and t.source = @source
  cross join lateral (values
    ('pageviews', t.pageviews::numeric, s.pageviews::numeric),
    ('sessions', t.sessions::numeric, s.sessions::numeric),
    ('users', t.users::numeric, s.users::numeric),
    ('bounce_rate', t.bounce_rate, s.bounce_rate),
    ('avg_session_duration', t.avg_session_duration, s.avg_session_duration)
  ) as m (metric, old_value, new_value)
  where m.old_value is distinct from m.new_value
  returning day
),
deleted as (
  delete from public.website_analytics t
  where t.source = @source and t.date between @from and @to
    and not exists (select 1 from stage s where s.date = t.date)
  returning 1
),
upserted as (
  insert into public.website_analytics as t (date, source, pageviews, sessions, users, bounce_rate, avg_session_duration)
  select date, @source, pageviews, sessions, users, bounce_rate, avg_session_duration from stage
  on conflict (date, source) do update
    set pageviews = excluded.pageviews, sessions = excluded.sessions, users = excluded.users,
        bounce_rate = excluded.bounce_rate, avg_session_duration = excluded.avg_session_duration
    where (t.pageviews, t.sessions, t.users, t.bounce_rate, t.avg_session_duration)
      is distinct from (excluded.pageviews, excluded.sessions, excluded.users, excluded.bounce_rate, excluded.avg_session_duration)
  returning (xmax = 0) as inserted
)
select
  (select count(*) from upserted where inserted) as inserted,
  (select count(*) from upserted where not inserted) as updated,
  (select count(*) from deleted) as deleted,
  (select count(*) from revisions) as revisions,
  (select count(distinct day) from revisions) as daysrevised
