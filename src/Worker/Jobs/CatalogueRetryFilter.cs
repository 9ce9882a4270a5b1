using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;

namespace Worker.Jobs;

/// <summary>
/// Retries a failed run as its catalogue file says (attempts, delays), instead of Hangfire's default
/// of ten attempts over hours. Bad input (<see cref="JobInputException"/>) is never retried: it cannot heal.
/// A job waiting for its next attempt is in Hangfire's "retries" set, as <c>AutomaticRetry</c> does it,
/// so the dashboard's Retries page (and its count in the menu) shows it.
/// </summary>
public sealed class CatalogueRetryFilter(JobCatalogue catalogue) : JobFilterAttribute, IElectStateFilter, IApplyStateFilter
{
    private const string RetryCountParameter = "RetryCount";

    /// <summary>The set the dashboard's Retries page lists.</summary>
    public const string RetriesSet = "retries";

    private const string ReasonPrefix = "Retry ";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is not FailedState failed
            || failed.Exception is JobInputException
            || context.BackgroundJob.Job?.Args.FirstOrDefault() is not string jobId
            || context.BackgroundJob.Job.Type != typeof(JobRunner)
            || !catalogue.Contains(jobId))
        {
            return;
        }

        var policy = catalogue.Get(jobId).Retry;
        var retriesSoFar = context.GetJobParameter<int>(RetryCountParameter, allowStale: true);
        if (retriesSoFar >= policy.Attempts)
        {
            return;
        }

        var retry = retriesSoFar + 1;
        context.SetJobParameter(RetryCountParameter, retry);
        context.CandidateState = new ScheduledState(policy.DelayBefore(retry))
        {
            Reason = $"{ReasonPrefix}{retry} of {policy.Attempts} after: {failed.Exception.Message}",
        };
    }

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is ScheduledState { Reason: { } reason } && reason.StartsWith(ReasonPrefix, StringComparison.Ordinal))
        {
            transaction.AddToSet(RetriesSet, context.BackgroundJob.Id);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.OldStateName == ScheduledState.StateName)
        {
            transaction.RemoveFromSet(RetriesSet, context.BackgroundJob.Id);
        }
    }
}
