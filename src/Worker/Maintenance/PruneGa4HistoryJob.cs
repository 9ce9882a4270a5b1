using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Npgsql;
using Worker.Jobs;

namespace Worker.Maintenance;

public sealed record PruneGa4HistoryParameters
{
    /// <summary>GA4 sync runs that finished, and revisions recorded, longer ago than this are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; init; } = 180;
}

/// <summary>
/// Deletes GA4 sync runs (worker.ga4_sync_runs) that finished longer ago than the retention period and
/// revisions (worker.ga4_revisions) recorded before it, in batches so a large backlog never holds a long
/// lock. The newest finished run of each property and report (what the ETL page shows) and its revisions
/// stay whatever their age, running runs are never deleted, and the sync state is not touched: the next
/// run resumes exactly as before. Re-running is harmless.
/// </summary>
public sealed class PruneGa4HistoryJob(NpgsqlDataSource dataSource, ILogger<PruneGa4HistoryJob> logger)
{
    public const string TypeName = "prune-ga4-history";

    // The newest finished run per property and report (as Ga4SyncOverview picks it) and the running ones.
    private const string Kept = """
        select id from (select distinct on (property_id, report) id from worker.ga4_sync_runs
                        where status <> 'running' order by property_id, report, started_at desc) newest
        union all
        select id from worker.ga4_sync_runs where status = 'running'
        """;

    public async Task<JobSummary> RunAsync(int retentionDays, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Revisions first: a run's revisions would otherwise outlive it with no run to name.
        var revisions = await BatchedDelete.RunAsync(connection, $"""
            delete from worker.ga4_revisions where id in (
              select id from worker.ga4_revisions
              where revised_at < now() - make_interval(days => @retentionDays)
                and (sync_run_id is null or sync_run_id not in ({Kept}))
              limit @BatchSize)
            """, retentionDays, cancellationToken);
        var runs = await BatchedDelete.RunAsync(connection, $"""
            delete from worker.ga4_sync_runs where id in (
              select id from worker.ga4_sync_runs
              where status <> 'running' and finished_at < now() - make_interval(days => @retentionDays)
                and id not in ({Kept})
              limit @BatchSize)
            """, retentionDays, cancellationToken);

        PruneGa4HistoryLog.Pruned(logger, runs, revisions, retentionDays);
        return new JobSummary(runs + revisions, runs + revisions, new Dictionary<string, object?>
        {
            ["deletedRuns"] = runs,
            ["deletedRevisions"] = revisions,
            ["retentionDays"] = retentionDays,
        });
    }
}

internal static partial class PruneGa4HistoryLog
{
    [LoggerMessage(3011, LogLevel.Information, "Deleted {Runs} GA4 sync run(s) and {Revisions} revision(s) older than {RetentionDays} days")]
    public static partial void Pruned(ILogger logger, long runs, long revisions, int retentionDays);
}
