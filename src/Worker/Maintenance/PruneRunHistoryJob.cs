using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Npgsql;
using Worker.Jobs;

namespace Worker.Maintenance;

public sealed record PruneRunHistoryParameters
{
    /// <summary>Runs that finished longer ago than this are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; init; } = 90;
}

/// <summary>
/// Deletes finished runs older than the retention period from the run history, in batches so a
/// large backlog never holds a long lock. Running runs are never deleted. Re-running is harmless.
/// </summary>
public sealed class PruneRunHistoryJob(NpgsqlDataSource dataSource, ILogger<PruneRunHistoryJob> logger)
{
    public const string TypeName = "prune-run-history";

    public async Task<JobSummary> RunAsync(int retentionDays, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var deleted = await BatchedDelete.RunAsync(connection, """
            delete from worker.job_runs where id in (
              select id from worker.job_runs
              where status <> 'running' and finished_at < now() - make_interval(days => @retentionDays)
              limit @BatchSize)
            """, retentionDays, cancellationToken);

        PruneRunHistoryLog.Pruned(logger, deleted, retentionDays);
        return new JobSummary(deleted, deleted, new Dictionary<string, object?> { ["deletedRuns"] = deleted, ["retentionDays"] = retentionDays });
    }
}

internal static partial class PruneRunHistoryLog
{
    [LoggerMessage(3001, LogLevel.Information, "Deleted {Deleted} finished run(s) older than {RetentionDays} days")]
    public static partial void Pruned(ILogger logger, long deleted, int retentionDays);
}
