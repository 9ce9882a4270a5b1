using Dapper;
using Hangfire;
using Npgsql;
using Worker.Jobs;

namespace Worker.Kpi;

/// <summary>
/// A new installation has data (the seed, or a restored database) but no KPI snapshot until the first
/// scheduled refresh; so at start, with none, the refresh is queued at once (it queues kpi-snapshot),
/// and a director's first visit shows KPIs rather than an empty page.
/// </summary>
public static class KpiFirstRun
{
    public static async Task QueueIfNoSnapshotAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var catalogue = services.GetRequiredService<JobCatalogue>();
        if (!catalogue.Contains(RefreshKpiViewsJob.JobId) || !catalogue.Get(RefreshKpiViewsJob.JobId).Enabled)
        {
            return;
        }

        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>("select exists (select 1 from kpi.snapshots)"))
        {
            return;
        }

        JobRunner.Enqueue(services.GetRequiredService<IBackgroundJobClientV2>(), catalogue.Get(RefreshKpiViewsJob.JobId), JobTriggers.Schedule);
    }
}
