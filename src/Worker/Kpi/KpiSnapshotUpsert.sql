-- One row per KPI, grain, period kind and period: inserted, or updated in place (a re-run is
-- harmless). A closed period whose value moves (both the old and the new computation succeeded) is a
-- revision: the snapshot keeps the previous value and when, and kpi.snapshot_revisions the history.
with input as (
  select * from unnest(
    @kpiIds::uuid[], @grains::text[], @kinds::text[], @starts::date[], @ends::date[], @values::numeric[],
    @numerators::numeric[], @denominators::numeric[], @targets::numeric[], @attainments::numeric[],
    @statuses::text[], @comparisonStarts::date[], @comparisonEnds::date[], @comparisonValues::numeric[],
    @changes::numeric[], @errors::text[], @dataAsOf::timestamptz[])
    as i (kpi_id, grain, period_kind, period_start, period_end, value, numerator, denominator, target_value,
          attainment, status, comparison_start, comparison_end, comparison_value, change, error, data_as_of)
),
upserted as (
  insert into kpi.snapshots as s (kpi_id, grain, period_kind, period_start, period_end, value, numerator, denominator,
    target_value, attainment, status, comparison_start, comparison_end, comparison_value, change, error, data_as_of,
    computed_at, first_value)
  select kpi_id, grain, period_kind, period_start, period_end, value, numerator, denominator, target_value,
    attainment, status, comparison_start, comparison_end, comparison_value, change, error, data_as_of, now(), value
  from input
  on conflict (kpi_id, grain, period_kind, period_start) do update set
    period_end = excluded.period_end,
    value = excluded.value,
    numerator = excluded.numerator,
    denominator = excluded.denominator,
    target_value = excluded.target_value,
    attainment = excluded.attainment,
    status = excluded.status,
    comparison_start = excluded.comparison_start,
    comparison_end = excluded.comparison_end,
    comparison_value = excluded.comparison_value,
    change = excluded.change,
    error = excluded.error,
    data_as_of = excluded.data_as_of,
    computed_at = excluded.computed_at,
    first_value = case when s.error is null then s.first_value else excluded.value end,
    revised_from = case when s.period_kind = 'closed' and s.error is null and excluded.error is null and s.value is distinct from excluded.value
      then s.value else s.revised_from end,
    revised_at = case when s.period_kind = 'closed' and s.error is null and excluded.error is null and s.value is distinct from excluded.value
      then excluded.computed_at else s.revised_at end,
    revision_count = s.revision_count + case when s.period_kind = 'closed' and s.error is null and excluded.error is null and s.value is distinct from excluded.value
      then 1 else 0 end
  returning s.id, s.kpi_id, s.period_start, s.period_end, s.value, s.revised_from, s.revised_at, s.computed_at, (xmax = 0) as inserted
),
revisions as (
  insert into kpi.snapshot_revisions (snapshot_id, kpi_id, period_start, period_end, old_value, new_value, revised_at)
  select id, kpi_id, period_start, period_end, revised_from, value, revised_at
  from upserted
  where not inserted and revised_at = computed_at
  returning 1
)
select (select count(*) from upserted) as "Written", (select count(*) from upserted where inserted) as "Inserted",
  (select count(*) from revisions) as "Revised"
