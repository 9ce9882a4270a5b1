using Hangfire.Common;
using Hangfire.States;
using Newtonsoft.Json.Linq;

namespace Worker.Jobs;

/// <summary>
/// Stores a run's <see cref="JobSummary"/> as plain JSON in Hangfire's Succeeded state, so the
/// dashboard's Result shows <c>{"rowsRead": 3, "rowsWritten": 2, "details": {…}}</c> rather than the
/// serializer's <c>$type</c> annotations (Hangfire's type-name handling applies to job results too).
/// </summary>
public sealed class JobResultFilter : JobFilterAttribute, IElectStateFilter
{
    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is SucceededState { Result: JobSummary summary } succeeded)
        {
            // A JToken is written as it is, without type names.
            context.CandidateState = new SucceededState(JToken.Parse(summary.ToJson()), succeeded.Latency, succeeded.PerformanceDuration)
            {
                Reason = succeeded.Reason,
            };
        }
    }
}
