using System.ComponentModel;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Worker.Jobs;

/// <summary>
/// Runs one catalogue job: what Hangfire calls for every recurring occurrence and manual trigger,
/// and what <c>Worker run &lt;id&gt;</c> calls in process. Hangfire stores only the job id and the
/// trigger; the definition is read from the catalogue at run time. Every run leaves a row in the run
/// history and its log lines carry the job id and run id.
/// </summary>
public sealed class JobRunner(JobCatalogue catalogue, IEnumerable<JobType> types, IServiceScopeFactory scopes, RunHistory history, ILogger<JobRunner> logger)
{
    private readonly Dictionary<string, JobType> _types = types.ToDictionary(t => t.Name, StringComparer.Ordinal);

    [DisplayName("{0}")]
    public async Task<JobSummary> RunAsync(string jobId, string trigger, PerformContext? context, CancellationToken cancellationToken)
    {
        var job = catalogue.Get(jobId);
        var runId = await history.StartAsync(jobId, context?.BackgroundJob.Id, trigger, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId, ["RunId"] = runId });
        JobRunnerLog.Started(logger, jobId, runId, trigger);
        try
        {
            await using var services = scopes.CreateAsyncScope();
            var summary = await _types[job.Type].Run(services.ServiceProvider, job.Parameters, cancellationToken);
            await history.SucceedAsync(runId, summary);
            JobRunnerLog.Succeeded(logger, jobId, runId, summary.RowsRead, summary.RowsWritten);
            return summary;
        }
        catch (Exception ex)
        {
            await history.FailAsync(runId, ex.Message);
            JobRunnerLog.Failed(logger, jobId, runId, ex);
            throw;
        }
    }

    /// <summary>
    /// Queues a run now. The queue is set on the job itself, not only on its first state, so a retry
    /// goes back to the same queue (Hangfire re-enqueues into "default" otherwise).
    /// </summary>
    public static string Enqueue(IBackgroundJobClientV2 client, JobDefinition job, string trigger) =>
        client.Enqueue<JobRunner>(job.Queue, r => r.RunAsync(job.Id, trigger, null, CancellationToken.None));
}

internal static partial class JobRunnerLog
{
    [LoggerMessage(2001, LogLevel.Information, "Job {JobId} run {RunId} started ({Trigger})")]
    public static partial void Started(ILogger logger, string jobId, long runId, string trigger);

    [LoggerMessage(2002, LogLevel.Information, "Job {JobId} run {RunId} succeeded: {RowsRead} rows read, {RowsWritten} written")]
    public static partial void Succeeded(ILogger logger, string jobId, long runId, long rowsRead, long rowsWritten);

    [LoggerMessage(2003, LogLevel.Error, "Job {JobId} run {RunId} failed")]
    public static partial void Failed(ILogger logger, string jobId, long runId, Exception exception);
}
