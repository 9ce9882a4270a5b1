using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Logging;
using Worker.Jobs;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Runs one queued import batch: a Hangfire job, so uploads taken by any worker are loaded by whichever
/// is free. The load is one transaction, so a worker dying half-way loses nothing and the retry (or a
/// manual requeue) loads the stored file again from the start.
/// </summary>
public sealed class ImportJob(ImportBatches batches, CsvImporter importer, ILogger<ImportJob> logger)
{
    [DisplayName("Import {1}: {2}")]
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [10, 60])]
    public async Task<ImportResult?> RunAsync(Guid batchId, string dataset, string fileName, CancellationToken cancellationToken)
    {
        var options = await batches.StartAsync(batchId, cancellationToken);
        var batch = await batches.FindAsync(batchId, cancellationToken) ?? throw new InvalidOperationException($"Import batch {batchId} vanished.");
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ImportBatchId"] = batchId, ["Dataset"] = dataset });
        try
        {
            await using var file = batches.OpenFile(batchId);
            var result = await importer.ImportAsync(Datasets.Find(dataset)!, file, fileName, options,
                new ImportActor(null, $"import:{batch.Source}:{batch.UploadedByName}"), batchId, cancellationToken, reopen: () => batches.OpenFile(batchId));
            await batches.FinishAsync(batchId, result, null, failed: false);
            ImportLog.Finished(logger, fileName, dataset, result.Status, result.Inserted, result.Updated, result.Unchanged, result.Rejected);
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

    /// <summary>Queues a stored batch on the ingest queue.</summary>
    public static string Enqueue(IBackgroundJobClientV2 client, Guid batchId, string dataset, string fileName) =>
        client.Enqueue<ImportJob>(Queues.Ingest, j => j.RunAsync(batchId, dataset, fileName, CancellationToken.None));
}

internal static partial class ImportLog
{
    [LoggerMessage(6001, LogLevel.Information, "Import of {File} into {Dataset}: {Status}, {Inserted} inserted, {Updated} updated, {Unchanged} unchanged, {Rejected} rejected")]
    public static partial void Finished(ILogger logger, string file, string dataset, ImportStatus status, long inserted, long updated, long unchanged, long rejected);

    [LoggerMessage(6002, LogLevel.Warning, "Import of {File} into {Dataset} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string file, string dataset, string reason);
}
