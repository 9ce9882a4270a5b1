using Dapper;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Worker.Jobs;

namespace Worker.Kpi;

/// <summary>
/// Debounces refresh requests from ingestion into one refresh of the KPI views: the first request after
/// a refresh started marks one pending in the database (kpi.refresh_requests, so it holds across
/// workers) and schedules the refresh-kpi-views job Kpi:RefreshDebounceSeconds ahead; requests while one
/// is pending only count. The refresh clears the mark when it starts. A mark older than
/// Kpi:StaleRequestSeconds is taken as lost and scheduled again.
/// </summary>
public sealed class KpiRefreshTrigger(
    NpgsqlDataSource dataSource, IBackgroundJobClientV2 client, JobCatalogue catalogue, IOptions<KpiOptions> options, ILogger<KpiRefreshTrigger> logger)
    : IKpiRefreshTrigger
{
    public async Task RequestRefreshAsync(string reason, CancellationToken cancellationToken)
    {
        if (!catalogue.Contains(RefreshKpiViewsJob.JobId))
        {
            KpiLog.RefreshJobMissing(logger, reason, RefreshKpiViewsJob.JobId);
            return;
        }

        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The row lock serialises concurrent requests: exactly one of them sees no pending refresh.
        var schedule = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            update kpi.refresh_requests
            set requests = requests + 1, last_reason = @reason, last_requested_at = now(),
                pending_since = case when pending_since is null or pending_since < now() - make_interval(secs => @stale) then now() else pending_since end
            where id
            returning pending_since = now()
            """, new { reason, stale = settings.StaleRequestSeconds }, transaction, cancellationToken: cancellationToken));
        if (!schedule)
        {
            await transaction.CommitAsync(cancellationToken);
            KpiLog.RefreshAlreadyPending(logger, reason);
            return;
        }

        var job = catalogue.Get(RefreshKpiViewsJob.JobId);
        var delay = TimeSpan.FromSeconds(settings.RefreshDebounceSeconds);
        var hangfireJobId = client.Schedule<JobRunner>(job.Queue, r => r.RunAsync(job.Id, JobTriggers.Ingestion, null, CancellationToken.None), delay);
        await connection.ExecuteAsync(new CommandDefinition("update kpi.refresh_requests set scheduled_job_id = @hangfireJobId where id",
            new { hangfireJobId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        KpiLog.RefreshScheduled(logger, reason, hangfireJobId, settings.RefreshDebounceSeconds);
    }
}
