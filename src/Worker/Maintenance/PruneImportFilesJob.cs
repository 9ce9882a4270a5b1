using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Worker.Ingestion.Csv;
using Worker.Jobs;

namespace Worker.Maintenance;

public sealed record PruneImportFilesParameters
{
    /// <summary>Stored files of batches that finished longer ago than this are deleted.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; init; } = 30;
}

/// <summary>
/// Deletes the stored files (worker.import_files) of finished import batches past retention: files of
/// failed and interrupted batches are kept until then so they can be run again. The batch records stay.
/// Re-running is harmless.
/// </summary>
public sealed class PruneImportFilesJob(ImportBatches batches, ILogger<PruneImportFilesJob> logger)
{
    public const string TypeName = "prune-import-files";

    public async Task<JobSummary> RunAsync(int retentionDays, CancellationToken cancellationToken)
    {
        var (pruned, chunks) = await batches.PruneFilesAsync(TimeSpan.FromDays(retentionDays), cancellationToken);
        PruneImportFilesLog.Pruned(logger, pruned, chunks, retentionDays);
        return new JobSummary(pruned, chunks, new Dictionary<string, object?> { ["batches"] = pruned, ["deletedChunks"] = chunks, ["retentionDays"] = retentionDays });
    }
}

internal static partial class PruneImportFilesLog
{
    [LoggerMessage(3101, LogLevel.Information, "Deleted the stored files of {Batches} import batch(es) ({Chunks} chunk(s) of 1 MiB) finished more than {RetentionDays} days ago")]
    public static partial void Pruned(ILogger logger, long batches, long chunks, int retentionDays);
}
