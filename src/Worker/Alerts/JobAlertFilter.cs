using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Worker.Jobs;

namespace Worker.Alerts;

/// <summary>
/// Watches catalogue jobs reach a final state. A Failed state is only applied once retries have run
/// out (retries replace it with Scheduled), so every failure seen here is for good. The decision
/// whether to tell anyone is made here, atomically; the sending is enqueued as its own job.
/// </summary>
public sealed class JobAlertFilter(AlertState state) : JobFilterAttribute, IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.BackgroundJob.Job?.Type != typeof(JobRunner) || context.BackgroundJob.Job.Args.FirstOrDefault() is not string jobId)
        {
            return;
        }

        Alert? alert = context.NewState switch
        {
            FailedState failed when state.ShouldAlertFailure(jobId) =>
                new Alert(AlertKind.Failed, jobId, context.BackgroundJob.Id, failed.Exception.Message, DateTime.UtcNow),
            SucceededState when state.ShouldAlertRecovery(jobId) =>
                new Alert(AlertKind.Recovered, jobId, context.BackgroundJob.Id, null, DateTime.UtcNow),
            _ => null,
        };

        if (alert is not null)
        {
            // The client is built on the storage at hand: resolving one from DI here would be circular
            // (the storage's configuration holds this filter).
            new BackgroundJobClient(context.Storage).Enqueue<AlertDispatcher>(Queues.Alerts, d => d.SendAsync(alert, CancellationToken.None));
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
