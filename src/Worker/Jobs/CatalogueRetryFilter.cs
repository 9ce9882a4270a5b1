using Hangfire.Common;
using Hangfire.States;

namespace Worker.Jobs;

/// <summary>
/// Retries a failed run as its catalogue file says (attempts, delays), instead of Hangfire's default
/// of ten attempts over hours. Bad input (<see cref="JobInputException"/>) is never retried: it cannot heal.
/// </summary>
public sealed class CatalogueRetryFilter(JobCatalogue catalogue) : JobFilterAttribute, IElectStateFilter
{
    private const string RetryCountParameter = "RetryCount";

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
            Reason = $"Retry {retry} of {policy.Attempts} after: {failed.Exception.Message}",
        };
    }
}
