using Dapper;
using Npgsql;

namespace Worker.Web;

/// <summary>What the ETL page shows, read from the run history and the ingested tables.</summary>
public sealed class EtlOverview(NpgsqlDataSource dataSource)
{
    public sealed record LastRun(string JobId, DateTime StartedAt, DateTime? FinishedAt, long? RowsRead, long? RowsWritten, string? Error,
        string? HangfireJobId = null, string? Summary = null)
    {
        public TimeSpan? Duration => FinishedAt - StartedAt;
    }

    public sealed record Freshness(string Dataset, DateTime? LatestDate, long Rows);

    public sealed record Failure(string JobId, DateTime StartedAt, string Trigger, string? Error, string? HangfireJobId = null);

    public sealed record Import(Guid Id, DateTime CreatedAt, string UploadedByName, string Source, string Dataset, string FileName, string Status,
        long? Inserted, long? Updated, long? Unchanged, long? Rejected);

    // Only finished runs count as "last success/failure"; DISTINCT ON keeps the newest per job.
    private const string LastRuns = """
        select distinct on (job_id) job_id as JobId, started_at as StartedAt, finished_at as FinishedAt,
               rows_read as RowsRead, rows_written as RowsWritten, error, hangfire_job_id as HangfireJobId, summary::text as Summary
        from worker.job_runs where status = @status
        order by job_id, started_at desc
        """;

    // Every dataset the worker ingests, with the column that dates its rows.
    private const string DatasetFreshness = """
        select 'website_analytics' as Dataset, max(date)::timestamp as LatestDate, count(*) as Rows from public.website_analytics
        union all select 'digital_channels', max(report_date)::timestamp, count(*) from public.digital_channels
        union all select 'marketing_attribution', max(report_date)::timestamp, count(*) from public.marketing_attribution
        union all select 'offline_events', max(event_date)::timestamp, count(*) from public.offline_events
        union all select 'seo_sem_campaigns', max(end_date)::timestamp, count(*) from public.seo_sem_campaigns
        union all select 'content_pieces', max(publish_date)::timestamp, count(*) from public.content_pieces
        """;

    public IReadOnlyDictionary<string, LastRun> LastSuccesses() => Last("succeeded");

    public IReadOnlyDictionary<string, LastRun> LastFailures() => Last("failed");

    public IReadOnlyList<Freshness> DataFreshness()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<Freshness>(DatasetFreshness).ToList();
    }

    public IReadOnlyList<Failure> RecentFailures(int count)
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<Failure>(
            "select job_id as JobId, started_at as StartedAt, trigger, error, hangfire_job_id as HangfireJobId from worker.job_runs where status = 'failed' order by started_at desc limit @count",
            new { count }).ToList();
    }

    public IReadOnlyList<Import> RecentImports(int count)
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<Import>("""
            select id, created_at as CreatedAt, uploaded_by_name as UploadedByName, source, dataset, file_name as FileName, status,
                   inserted, updated, unchanged, rejected
            from worker.import_batches order by created_at desc limit @count
            """, new { count }).ToList();
    }

    private Dictionary<string, LastRun> Last(string status)
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<LastRun>(LastRuns, new { status }).ToDictionary(r => r.JobId);
    }
}
