using System.ComponentModel.DataAnnotations;
using Hangfire;
using Microsoft.Extensions.Logging;
using Worker.Jobs;

namespace Worker.Ingestion.Csv;

public sealed record RecoverInterruptedImportsParameters
{
    /// <summary>A running batch whose heartbeat is older than this is taken for dead even if its lock is still held.</summary>
    [Range(30, 86_400)]
    public int StaleAfterSeconds { get; init; } = 300;

    /// <summary>Runs of an uploaded batch before it is left interrupted for a person to look at.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; init; } = 3;
}

/// <summary>
/// Finds imports left running by a worker that died (killed, crashed, machine gone), marks them
/// interrupted, and queues uploaded ones again from their stored file (up to MaxAttempts runs in all).
/// Inbox and command-line batches are not queued again: the inbox takes its file again on its next run,
/// the person at the command line runs the command again. Re-running is harmless at any time.
/// </summary>
public sealed class RecoverInterruptedImportsJob(ImportBatches batches, IBackgroundJobClientV2 client, ILogger<RecoverInterruptedImportsJob> logger)
{
    public const string TypeName = "recover-interrupted-imports";

    public async Task<JobSummary> RunAsync(RecoverInterruptedImportsParameters parameters, CancellationToken cancellationToken)
    {
        var interrupted = await batches.MarkInterruptedAsync(TimeSpan.FromSeconds(parameters.StaleAfterSeconds), cancellationToken);
        long requeued = 0;
        foreach (var batch in interrupted)
        {
            if (batch.Source is "upload" or "api" && batch.Attempts < parameters.MaxAttempts
                && await batches.RequeueAsync(batch.Id, $"Queued again (run {batch.Attempts + 1} of at most {parameters.MaxAttempts}).", cancellationToken))
            {
                await batches.SetJobAsync(batch.Id, ImportJob.Enqueue(client, batch.Id, batch.Dataset, batch.FileName));
                requeued++;
                RecoverLog.Requeued(logger, batch.Id, batch.FileName, batch.Dataset, batch.Attempts + 1);
                continue;
            }

            var what = batch.Source switch
            {
                "inbox" => "The inbox takes the file again on its next run.",
                "cli" => $"Run the import command again to load it, or: Worker import-rerun {batch.Id}",
                _ => $"Not queued again after {batch.Attempts} run(s): re-run it from its page (Re-run), POST /api/imports/{batch.Id}/rerun or Worker import-rerun {batch.Id}.",
            };
            await batches.AppendMessageAsync(batch.Id, what, cancellationToken);
            RecoverLog.Interrupted(logger, batch.Id, batch.FileName, batch.Dataset, what);
        }

        return new JobSummary(interrupted.Count, interrupted.Count, new Dictionary<string, object?>
        {
            ["interrupted"] = interrupted.Count,
            ["requeued"] = requeued,
            ["batches"] = interrupted.Select(b => b.Id).ToList(),
        });
    }
}

internal static partial class RecoverLog
{
    [LoggerMessage(6201, LogLevel.Warning, "Import batch {BatchId} ({File} into {Dataset}) was interrupted by its worker's death; queued again, run {Run}")]
    public static partial void Requeued(ILogger logger, Guid batchId, string file, string dataset, int run);

    [LoggerMessage(6202, LogLevel.Warning, "Import batch {BatchId} ({File} into {Dataset}) was interrupted by its worker's death. {What}")]
    public static partial void Interrupted(ILogger logger, Guid batchId, string file, string dataset, string what);
}
