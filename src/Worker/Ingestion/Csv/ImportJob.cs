using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Logging;
using Worker.Jobs;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Runs one queued import batch: a Hangfire job, so uploads taken by any worker are loaded by whichever
/// is free. The load is one transaction, together with the batch's final state, so a worker dying
/// half-way loses nothing, a load that committed is never left looking interrupted, and the retry (or a
/// re-run) loads the stored file again from the start.
/// </summary>
public sealed class ImportJob(ImportBatches batches, CsvImporter importer, ILogger<ImportJob> logger, Worker.Kpi.IKpiRefreshTrigger? kpiRefresh = null)
{
    [DisplayName("Import {1}: {2}")]
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [10, 60])]
    public async Task<ImportResult?> RunAsync(Guid batchId, string dataset, string fileName, CancellationToken cancellationToken)
    {
        // Only the holder of the batch's lease runs it; a finished batch is final (a re-delivery or a
        // dashboard requeue of a finished import changes nothing and says so).
        await using var lease = await batches.TryLeaseAsync(batchId, Heartbeat, cancellationToken);
        var options = lease is null ? null : await batches.StartAsync(batchId, cancellationToken);
        var batch = await batches.FindAsync(batchId, cancellationToken) ?? throw new InvalidOperationException($"Import batch {batchId} vanished.");
        if (options is null)
        {
            if (batch.Status is "loaded" or "partially_loaded" or "rejected")
            {
                ImportLog.AlreadyFinished(logger, fileName, dataset, batchId, batch.Status);
                return Unchanged(batch, $"Import batch {batchId} had already finished ({batch.Status.Replace('_', ' ')}, {batch.FinishedAt:yyyy-MM-dd HH:mm:ss} UTC): nothing was done again.");
            }

            if (lease is null)
            {
                throw new ImportBusyException($"Import batch {batchId} is being run by another worker.");
            }

            return Unchanged(batch, $"The stored file of import batch {batchId} was deleted by retention: nothing to run; upload the file again.");
        }

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ImportBatchId"] = batchId, ["Dataset"] = dataset });
        try
        {
            await using var file = batches.OpenFile(batchId);
            var result = await importer.ImportAsync(Datasets.Find(dataset)!, file, fileName, options,
                new ImportActor(null, $"import:{batch.Source}:{batch.UploadedByName}"), batchId, cancellationToken, reopen: () => batches.OpenFile(batchId));
            if (result.DryRun || result.Status == ImportStatus.Rejected)
            {
                // Nothing was written; a load that wrote rows recorded its outcome in its own transaction.
                await batches.FinishAsync(batchId, result, null, failed: false);
            }

            ImportLog.Finished(logger, fileName, dataset, result.Status, result.Inserted, result.Updated, result.Unchanged, result.Rejected);
            if (kpiRefresh is not null && !result.DryRun && result.Inserted + result.Updated > 0)
            {
                // The rows are committed: the KPI views should show them (debounced into one refresh).
                await kpiRefresh.RequestRefreshAsync($"import of {fileName} into {dataset}", cancellationToken);
            }

            return result;
        }
        catch (ImportRejectedException ex)
        {
            await batches.FinishAsync(batchId, null, ex.Message, failed: false);
            ImportLog.Refused(logger, fileName, dataset, ex.Message);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await batches.FinishAsync(batchId, null, ex.Message, failed: true);
            throw;
        }
    }

    /// <summary>How often a running import renews its heartbeat.</summary>
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>The batch's recorded outcome, with a note saying why nothing ran.</summary>
    private static ImportResult Unchanged(ImportBatch batch, string note) => new(
        batch.FileName, batch.Dataset,
        batch.Status switch { "loaded" => ImportStatus.Loaded, "partially_loaded" => ImportStatus.PartiallyLoaded, _ => ImportStatus.Rejected },
        batch.RowsRead ?? 0, batch.Inserted ?? 0, batch.Updated ?? 0, batch.Unchanged ?? 0, batch.Rejected ?? 0, batch.Skipped ?? 0,
        batch.ErrorList, [.. batch.NoteList, note], DryRun: false);

    /// <summary>Queues a stored batch on the ingest queue.</summary>
    public static string Enqueue(IBackgroundJobClientV2 client, Guid batchId, string dataset, string fileName) =>
        client.Enqueue<ImportJob>(Queues.Ingest, j => j.RunAsync(batchId, dataset, fileName, CancellationToken.None));
}

/// <summary>Another worker holds the batch's lease: the job is retried later, when that run has finished or its worker is gone.</summary>
public sealed class ImportBusyException(string message) : Exception(message);

internal static partial class ImportLog
{
    [LoggerMessage(6003, LogLevel.Information, "Import of {File} into {Dataset} not run again: batch {BatchId} had already finished ({Status})")]
    public static partial void AlreadyFinished(ILogger logger, string file, string dataset, Guid batchId, string status);

    [LoggerMessage(6001, LogLevel.Information, "Import of {File} into {Dataset}: {Status}, {Inserted} inserted, {Updated} updated, {Unchanged} unchanged, {Rejected} rejected")]
    public static partial void Finished(ILogger logger, string file, string dataset, ImportStatus status, long inserted, long updated, long unchanged, long rejected);

    [LoggerMessage(6002, LogLevel.Warning, "Import of {File} into {Dataset} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string file, string dataset, string reason);
}
