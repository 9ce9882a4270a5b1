using Dapper;
using Npgsql;

namespace Worker.Ingestion.Ga4;

/// <summary>What the ETL page's GA4 section shows (Web/EtlSections/Ga4Section.razor): per property and report, freshness, the last run's quota and GA4's reliability flags.</summary>
public sealed class Ga4SyncOverview(NpgsqlDataSource dataSource)
{
    public sealed record Sync(string PropertyId, string Report, DateOnly? SyncedThrough, string? TimeZone, string Status, DateTime StartedAt,
        long RowsRead, long RowsWritten, int DaysRevised, long TokensConsumed, long? TokensPerDayRemaining, long? TokensPerHourRemaining,
        bool CostUnavailable, string Flags, string? Note, string? Error);

    // The newest run per property and report, with the state it left.
    private const string LatestRuns = """
        select distinct on (r.property_id, r.report)
               r.property_id as PropertyId, r.report, s.synced_through as SyncedThrough, coalesce(s.time_zone, r.time_zone) as TimeZone,
               r.status, r.started_at as StartedAt, r.rows_read as RowsRead, r.rows_written as RowsWritten, r.days_revised as DaysRevised,
               r.tokens_consumed as TokensConsumed, r.tokens_per_day_remaining as TokensPerDayRemaining,
               r.tokens_per_hour_remaining as TokensPerHourRemaining, r.cost_unavailable as CostUnavailable, r.flags::text as Flags, r.note, r.error
        from worker.ga4_sync_runs r
        left join worker.ga4_sync_state s on s.property_id = r.property_id and s.report = r.report
        where r.status <> 'running'
        order by r.property_id, r.report, r.started_at desc
        """;

    public IReadOnlyList<Sync> Latest()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<Sync>(LatestRuns).ToList();
    }
}
