using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Microsoft.Extensions.Logging;

namespace Worker.Jobs;

/// <summary>
/// Makes Hangfire's recurring jobs match the catalogue: adds or updates every job (a disabled one
/// stays visible, never scheduled, so ops can still trigger it) and removes recurring jobs whose file
/// is gone. Idempotent, so every worker does it at start.
/// </summary>
public sealed class CatalogueScheduler(JobCatalogue catalogue, IRecurringJobManagerV2 recurringJobs, JobStorage storage, ILogger<CatalogueScheduler> logger)
{
    public void Synchronise()
    {
        foreach (var job in catalogue.Jobs)
        {
            try
            {
                recurringJobs.AddOrUpdate<JobRunner>(
                    job.Id,
                    job.Queue,
                    runner => runner.RunAsync(job.Id, "schedule", null, CancellationToken.None),
                    job.Enabled ? job.Cron : Cron.Never(),
                    new RecurringJobOptions { TimeZone = job.TimeZone, MisfireHandling = MisfireHandlingMode.Relaxed });
            }
            catch (Exception ex) when (ex is PostgreSqlDistributedLockException or DistributedLockTimeoutException)
            {
                // Another worker is scheduling it, or one killed while doing so left its lock: the
                // registration already there stays; the next start (any worker) updates it.
                CatalogueSchedulerLog.Locked(logger, job.Id);
            }
        }

        using var connection = storage.GetConnection();
        foreach (var stale in connection.GetRecurringJobs().Select(r => r.Id).Where(id => !catalogue.Contains(id)))
        {
            recurringJobs.RemoveIfExists(stale);
            CatalogueSchedulerLog.Removed(logger, stale);
        }

        CatalogueSchedulerLog.Synchronised(logger, catalogue.Jobs.Count);
    }
}

internal static partial class CatalogueSchedulerLog
{
    [LoggerMessage(2101, LogLevel.Information, "Job catalogue registered: {Count} recurring job(s)")]
    public static partial void Synchronised(ILogger logger, int count);

    [LoggerMessage(2103, LogLevel.Warning, "Recurring job {JobId} is locked (another worker is scheduling it, or one that was killed left its lock): left as registered")]
    public static partial void Locked(ILogger logger, string jobId);

    [LoggerMessage(2102, LogLevel.Information, "Removed recurring job {JobId}: no longer in the catalogue")]
    public static partial void Removed(ILogger logger, string jobId);
}
