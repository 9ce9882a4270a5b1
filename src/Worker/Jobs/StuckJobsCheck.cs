using Hangfire;
using Hangfire.Storage.Monitoring;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Worker.Ingestion.Csv;

namespace Worker.Jobs;

/// <summary>
/// Notices this process's Hangfire workers stuck on one job (a read that never returns, a lock never
/// granted): Degraded while some run longer than Hangfire:StuckJobMinutes, Unhealthy when every worker
/// does (no job can start here), naming each job.
/// </summary>
internal sealed class StuckJobsCheck(JobStorage storage, IOptions<HangfireOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = TimeSpan.FromMinutes(options.Value.StuckJobMinutes);
        var since = DateTime.UtcNow - limit;
        var stuck = storage.GetMonitoringApi().ProcessingJobs(0, 1000)
            .Where(j => j.Value.ServerId?.StartsWith(ServerName.ForThisProcess, StringComparison.Ordinal) == true && j.Value.StartedAt < since)
            .OrderBy(j => j.Value.StartedAt)
            .ToList();
        if (stuck.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"No job has run longer than {limit:g} on this worker."));
        }

        var named = string.Join("; ", stuck.Take(5).Select(j => $"{Describe(j.Value)} (Hangfire job {j.Key}, since {j.Value.StartedAt:yyyy-MM-dd HH:mm:ss} UTC)"));
        var text = $"{stuck.Count} of {options.Value.WorkerCount} worker(s) busy longer than {limit:g} on one job: {named}{(stuck.Count > 5 ? "; …" : "")}.";
        return Task.FromResult(stuck.Count >= options.Value.WorkerCount ? HealthCheckResult.Unhealthy(text) : HealthCheckResult.Degraded(text));
    }

    private static string Describe(ProcessingJobDto job) => job.Job switch
    {
        null => "a job of unknown type",
        { Type: var t, Args: [string jobId, ..] } when t == typeof(JobRunner) => jobId,
        { Type: var t, Args: [_, string dataset, string file, ..] } when t == typeof(ImportJob) => $"import of {file} into {dataset}",
        var other => $"{other.Type.Name}.{other.Method.Name}",
    };
}
