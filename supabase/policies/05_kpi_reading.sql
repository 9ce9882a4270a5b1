-- The KPI layer's reading side, (re)defined after every migration because migrations of other areas
-- touch what it reads (0801 redefines v_all_kpis; 0800 gives the marketing series a source column and
-- effective views). Re-applicable: every statement replaces what it defines.

-- Which marketing rows the KPI views count: one answer per day from the effective views (GA4 rows win
-- over CSV rows of the same day; several properties add up), so an upload and a sync of the same day
-- are never counted twice. Same signatures as in 0702, so the materialized views keep reading them;
-- the next refresh-kpi-views picks the change up.
create or replace function kpi.digital_channel_rows()
returns table (day date, channel text, visits bigint, leads bigint, conversions numeric, cost numeric)
language sql
stable
as $$
  select report_date, channel_name, visits, leads, conversions, cost from public.v_digital_channels_effective
$$;

create or replace function kpi.website_analytics_rows()
returns table (day date, sessions bigint, users bigint, pageviews bigint)
language sql
stable
as $$
  select date, sessions, users, pageviews from public.v_website_analytics_effective
$$;

revoke all on function kpi.digital_channel_rows(), kpi.website_analytics_rows() from public, anon, authenticated;

-- The latest snapshot per KPI (the current period-to-date where there is one, else the last closed
-- period) next to its definition. Definitions without a snapshot yet show null values.
drop view if exists public.v_all_kpis;
create view public.v_all_kpis
with (security_invoker = true) as
select
  k.id as kpi_id,
  k.domain,
  k.name,
  k.calculation,
  k.unit,
  k.direction,
  s.value,
  coalesce(s.target_value, k.target_value) as target_value,
  case
    when s.value is null or s.target_value is null then null
    when k.direction = 'higher_is_better' then s.value >= s.target_value
    else s.value <= s.target_value
  end as on_target,
  k.grain,
  s.period_kind,
  s.period_start,
  s.period_end,
  s.attainment,
  s.status,
  s.comparison_value,
  s.change,
  s.revised_from,
  s.data_as_of,
  s.computed_at,
  s.error
from public.kpi_metrics k
left join (
  select distinct on (v.kpi_id) v.*
  from private.visible_kpi_snapshots() v
  order by v.kpi_id, v.period_end desc, (v.period_kind = 'to_date') desc, v.computed_at desc
) s on s.kpi_id = k.id
where k.is_active;


-- Recreated after 02_grants ran: the same grants every view of public has.
grant select on public.v_all_kpis to authenticated, service_role;
