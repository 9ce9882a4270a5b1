using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Worker.Ingestion.Csv;

/// <summary>What became of a request to re-run a batch: queued (or run), or refused with an HTTP status and the reason.</summary>
public sealed record RerunOutcome(bool Accepted, int StatusCode, string Message);

/// <summary>
/// Runs an interrupted import again from its stored file, at a person's request (the import page's
/// "Re-run", <c>POST /api/imports/{id}/rerun</c>, <c>Worker import-rerun &lt;id&gt;</c>). Only an
/// interrupted batch whose file is still stored may be re-run; a finished batch is final. Re-running
/// never duplicates rows: the load is an upsert on the natural key, in one transaction with the batch's
/// outcome, under the batch's lease.
/// </summary>
public sealed class ImportRerun(ImportBatches batches, IBackgroundJobClientV2 jobs, ILogger<ImportRerun> logger)
{
    /// <summary>Queues the batch's import job again (for the page and the API): 202, or the refusal.</summary>
    public async Task<RerunOutcome> QueueAsync(Guid id, string requestedBy, CancellationToken cancellationToken)
    {
        var batch = await batches.FindAsync(id, cancellationToken);
        if (Refusal(batch, id) is { } refused)
        {
            return refused;
        }

        if (!await batches.QueueRerunAsync(id, Sentence(requestedBy), cancellationToken))
        {
            // Queued again by the recovery job or another person a moment ago.
            return Refusal(await batches.FindAsync(id, cancellationToken), id)!;
        }

        await batches.SetJobAsync(id, ImportJob.Enqueue(jobs, id, batch!.Dataset, batch.FileName));
        RerunLog.Queued(logger, id, batch.FileName, batch.Dataset, requestedBy);
        return new RerunOutcome(true, 202, $"Import batch {id} ({batch.FileName}) was queued to run again.");
    }

    /// <summary>Null when the batch may be re-run; else why not, with the HTTP status that says it.</summary>
    public static RerunOutcome? Refusal(ImportBatch? batch, Guid id) => batch switch
    {
        null => new(false, 404, $"There is no import batch {id}."),
        { FilePrunedAt: { } pruned } => new(false, 410, FormattableString.Invariant(
            $"The stored file of {batch.FileName} was deleted by retention on {pruned:yyyy-MM-dd}: it cannot be run again. Upload the file again.")),
        { Status: "interrupted" } => null,
        { Status: "queued" } => new(false, 409, $"{batch.FileName} is already waiting for a worker: it will run without a re-run."),
        { Status: "running" } => new(false, 409, $"{batch.FileName} is being loaded now: only an interrupted import can be re-run."),
        { Status: "failed" } => new(false, 409,
            $"{batch.FileName} failed; its job is retried by itself, or requeue it from the dashboard (Jobs → Failed). Only an interrupted import can be re-run."),
        _ => new(false, 409, string.Create(CultureInfo.InvariantCulture,
            $"{batch.FileName} has finished ({batch.Status.Replace('_', ' ')}, {batch.FinishedAt:yyyy-MM-dd HH:mm} UTC) and a finished import is final: nothing was done. To load the file again, upload it again.")),
    };

    private static string Sentence(string requestedBy) =>
        string.Create(CultureInfo.InvariantCulture, $"Re-run requested by {requestedBy} at {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC.");
}

internal static partial class RerunLog
{
    [LoggerMessage(6203, LogLevel.Information, "Import batch {BatchId} ({File} into {Dataset}) queued to run again at the request of {User}")]
    public static partial void Queued(ILogger logger, Guid batchId, string file, string dataset, string user);
}
