using Dapper;
using Npgsql;

namespace Worker.Jobs;

/// <summary>One row of worker.job_runs.</summary>
public sealed record JobRun(long Id, string JobId, string? HangfireJobId, string Trigger, DateTime StartedAt, DateTime? FinishedAt,
    string Status, long? RowsRead, long? RowsWritten, string? Summary, string? Error);

/// <summary>The durable record of every job run (worker.job_runs).</summary>
public sealed class RunHistory(NpgsqlDataSource dataSource)
{
    public async Task<long> StartAsync(string jobId, string? hangfireJobId, string trigger, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            "insert into worker.job_runs (job_id, hangfire_job_id, trigger) values (@jobId, @hangfireJobId, @trigger) returning id",
            new { jobId, hangfireJobId, trigger });
    }

    public async Task SucceedAsync(long runId, JobSummary summary)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            update worker.job_runs
            set status = 'succeeded', finished_at = greatest(now(), started_at), rows_read = @RowsRead, rows_written = @RowsWritten, summary = @Json::jsonb
            where id = @runId
            """, new { runId, summary.RowsRead, summary.RowsWritten, Json = summary.ToJson() });
    }

    public async Task FailAsync(long runId, string error)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "update worker.job_runs set status = 'failed', finished_at = greatest(now(), started_at), error = @error where id = @runId",
            new { runId, error });
    }

    public async Task<IReadOnlyList<JobRun>> RecentAsync(string jobId, int count, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<JobRun>("""
            select id, job_id as JobId, hangfire_job_id as HangfireJobId, trigger, started_at as StartedAt, finished_at as FinishedAt,
                   status, rows_read as RowsRead, rows_written as RowsWritten, summary::text as Summary, error
            from worker.job_runs where job_id = @jobId order by started_at desc, id desc limit @count
            """, new { jobId, count })).ToList();
    }
}
