using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Worker.Jobs;

public sealed record CloseInterruptedRunsParameters
{
    /// <summary>A Hangfire server whose heartbeat is older than this is taken for dead (servers beat every 30 s).</summary>
    [Range(60, 86_400)]
    public int StaleAfterSeconds { get; init; } = 120;
}

/// <summary>
/// Closes the run-history rows of job runs whose process died (kill -9, a lost machine): left
/// 'running', they would say so forever and hide the failure. A run is dead when its Hangfire job is
/// no longer being processed by a server that still beats, or when a later run of the same Hangfire
/// job exists (Hangfire delivered it again after the invisibility timeout). Such rows end 'failed'
/// with a reason; the job itself is Hangfire's to deliver again. Runs started from the command line
/// have no Hangfire job and are left alone. Re-running is harmless.
/// </summary>
public sealed class CloseInterruptedRunsJob(NpgsqlDataSource dataSource, ILogger<CloseInterruptedRunsJob> logger)
{
    public const string TypeName = "close-interrupted-runs";

    public const string Reason =
        "Interrupted: the worker process running it stopped (killed, crashed or its machine lost) before the run finished. " +
        "Hangfire delivers the job again after its invisibility timeout; the next run of it says how that went.";

    public async Task<JobSummary> RunAsync(CloseInterruptedRunsParameters parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var closed = (await connection.QueryAsync<(long Id, string JobId, string HangfireJobId)>(new CommandDefinition("""
            update worker.job_runs r
            set status = 'failed', finished_at = greatest(now(), r.started_at), error = @Reason
            where r.status = 'running' and r.hangfire_job_id ~ '^[0-9]+$'
              and r.started_at < now() - make_interval(secs => @StaleAfterSeconds)
              and (exists (select 1 from worker.job_runs later where later.hangfire_job_id = r.hangfire_job_id and later.id > r.id)
                   or not exists (
                     select 1 from hangfire.job j
                     join hangfire.state s on s.id = j.stateid
                     join hangfire.server v on v.id = s.data ->> 'ServerId'
                     where j.id = r.hangfire_job_id::bigint and j.statename = 'Processing'
                       and v.lastheartbeat > now() - make_interval(secs => @StaleAfterSeconds)))
            returning r.id, r.job_id, r.hangfire_job_id
            """, new { Reason, parameters.StaleAfterSeconds }, cancellationToken: cancellationToken))).ToList();
        foreach (var run in closed)
        {
            CloseInterruptedRunsLog.Closed(logger, run.Id, run.JobId, run.HangfireJobId);
        }

        return new JobSummary(closed.Count, closed.Count, new Dictionary<string, object?>
        {
            ["closedRuns"] = closed.Count,
            ["runs"] = closed.Select(r => r.Id).ToList(),
        });
    }
}

internal static partial class CloseInterruptedRunsLog
{
    [LoggerMessage(3101, LogLevel.Warning, "Run {RunId} of {JobId} (Hangfire job {HangfireJobId}) was interrupted by its worker's death; closed as failed")]
    public static partial void Closed(ILogger logger, long runId, string jobId, string hangfireJobId);
}
