using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Worker.Jobs;

namespace Worker.Ingestion.Csv;

public sealed record InboxParameters
{
    /// <summary>The dataset every file in the folder belongs to.</summary>
    [Required]
    public string Dataset { get; init; } = "";

    /// <summary>The folder to watch, relative to the content root or absolute.</summary>
    [Required]
    public string Folder { get; init; } = "";

    /// <summary>Load valid rows and reject the rest instead of all-or-nothing.</summary>
    public bool Partial { get; init; }

    public string? DateFormat { get; init; }

    /// <summary>Declared decimal mark (true: 1.234,56); absent, inferred from each file.</summary>
    public bool? DecimalComma { get; init; }

    /// <summary>
    /// A file is taken only once it has not been written, renamed or grown for this many seconds, so a
    /// file still being copied in is left for the next run.
    /// </summary>
    [Range(0, 3600)]
    public int SettleSeconds { get; init; } = 5;
}

/// <summary>
/// Imports every *.csv file in an inbox folder, oldest first, then moves it to processed/ or, with an
/// error report beside it (&lt;file&gt;.errors.csv), to rejected/. A file is moved only after its load
/// committed, so a crash leaves it in the inbox and the next run loads it again (harmlessly: loading is
/// idempotent).
/// </summary>
/// <remarks>
/// Only regular files that are really in the folder are read: symbolic links, hard-linked files, pipes,
/// sockets and devices are skipped and reported, never opened (a pipe would block the worker). Names
/// starting with a dot and names not ending in .csv are ignored, so writers write <c>x.csv.tmp</c> (or
/// <c>.x.csv</c>) and rename it when done. A file touched within the settle interval, or that changes
/// while it is read, waits for the next run. Each file is claimed with a PostgreSQL advisory lock on the
/// folder and name while it is taken, so runs on any number of workers sharing the folder take it once.
/// </remarks>
public sealed class InboxJob(ImportBatches batches, ImportJob importJob, IOptions<ImportsOptions> imports, Worker.Hosting.ContentRootPath contentRoot,
    NpgsqlDataSource dataSource, ILogger<InboxJob> logger)
{
    public const string TypeName = "import-inbox";

    /// <summary>The first key of the advisory locks that claim inbox files (the second is a hash of folder and name).</summary>
    internal const int ClaimLockClass = 631;

    public async Task<JobSummary> RunAsync(InboxParameters parameters, CancellationToken cancellationToken)
    {
        if (Datasets.All.FirstOrDefault(d => d.Name == parameters.Dataset) is null)
        {
            // KPI targets are not taken from a folder: it has no user whose manage_kpi_definitions could be checked.
            throw new JobInputException($"Unknown dataset '{parameters.Dataset}' for an inbox folder (known: {string.Join(", ", Datasets.All.Select(d => d.Name))}; "
                + "kpi_targets is loaded on the upload page, the API or the command line).");
        }

        var folder = Path.Combine(contentRoot.Path, parameters.Folder);
        Directory.CreateDirectory(folder);
        var processed = Directory.CreateDirectory(Path.Combine(folder, "processed")).FullName;
        var rejected = Directory.CreateDirectory(Path.Combine(folder, "rejected")).FullName;
        var options = new ImportOptions
        {
            Partial = parameters.Partial,
            DateFormat = parameters.DateFormat,
            DecimalComma = parameters.DecimalComma,
            MaxErrors = imports.Value.MaxErrors,
        };

        var skipped = new List<string>();
        var waiting = new List<string>();
        var settledBefore = DateTime.UtcNow - TimeSpan.FromSeconds(parameters.SettleSeconds);
        var candidates = new List<(string Path, string Name, InboxEntry Entry)>();
        foreach (var path in Directory.EnumerateFileSystemEntries(folder))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.') || !name.EndsWith(".csv", StringComparison.Ordinal))
            {
                continue;
            }

            var entry = InboxFile.Inspect(path);
            if (entry.Refusal is { } refusal)
            {
                skipped.Add($"{name}: {refusal}");
                InboxLog.Skipped(logger, name, folder, refusal);
            }
            else if (entry.LastTouchedUtc > settledBefore)
            {
                waiting.Add(name);
            }
            else
            {
                candidates.Add((path, name, entry));
            }
        }

        long files = 0, rowsRead = 0, rowsWritten = 0, refused = 0, takenElsewhere = 0;
        await using var claims = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var (path, name, entry) in candidates.OrderBy(c => c.Entry.ModifiedUtc).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var claim = $"{parameters.Folder}/{name}";
            if (!await claims.ExecuteScalarAsync<bool>("select pg_try_advisory_lock(@ClaimLockClass, hashtext(@claim))", new { ClaimLockClass, claim }))
            {
                takenElsewhere++;
                continue;
            }

            try
            {
                // Another run may have taken and moved the file (or a new one taken its name) since the listing.
                await using var stream = InboxFile.OpenRead(path, entry);
                if (stream is null)
                {
                    continue;
                }

                Guid batchId;
                try
                {
                    batchId = await batches.CreateAsync(parameters.Dataset, name, stream, "inbox", null, "inbox", options, imports.Value.MaxFileBytes, cancellationToken);
                }
                catch (FileTooLargeException ex)
                {
                    await stream.DisposeAsync();
                    await MoveAsync(path, rejected, [new ImportError(null, null, null, ex.Message)]);
                    refused++;
                    continue;
                }
                catch (InboxFileChangedException)
                {
                    waiting.Add(name); // nothing was kept: the batch's transaction rolled back
                    continue;
                }

                await stream.DisposeAsync();
                var result = await importJob.RunAsync(batchId, parameters.Dataset, name, cancellationToken);
                var batch = (await batches.FindAsync(batchId, cancellationToken))!;
                files++;
                rowsRead += batch.RowsRead ?? 0;
                rowsWritten += (batch.Inserted ?? 0) + (batch.Updated ?? 0);
                if (result is { Succeeded: true } && result.Status == ImportStatus.Loaded)
                {
                    await MoveAsync(path, processed, null);
                }
                else
                {
                    refused++;
                    await MoveAsync(path, result is null ? rejected : result.Succeeded ? processed : rejected,
                        result?.Errors ?? [new ImportError(null, null, null, batch.Message ?? "refused")]);
                }
            }
            finally
            {
                await claims.ExecuteAsync("select pg_advisory_unlock(@ClaimLockClass, hashtext(@claim))", new { ClaimLockClass, claim });
            }
        }

        return new JobSummary(rowsRead, rowsWritten, new Dictionary<string, object?>
        {
            ["files"] = files,
            ["filesWithErrors"] = refused,
            ["dataset"] = parameters.Dataset,
            ["skipped"] = skipped.Count,
            ["skippedFiles"] = skipped,
            ["waiting"] = waiting.Count,
            ["takenByAnotherRun"] = takenElsewhere,
        });
    }

    /// <summary>
    /// Moves the file, replacing an older one of the same name, with its error report beside it. The
    /// report is written to a new file and renamed into place, so a link planted under its name is
    /// replaced, never written through.
    /// </summary>
    private static async Task MoveAsync(string path, string folder, IReadOnlyList<ImportError>? errors)
    {
        var target = Path.Combine(folder, Path.GetFileName(path));
        if (errors is { Count: > 0 })
        {
            var report = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
            await using (var writer = new StreamWriter(new FileStream(report, FileMode.CreateNew, FileAccess.Write)))
            {
                await writer.WriteAsync(ErrorReport.ToCsv(Path.GetFileName(path), errors));
            }

            File.Move(report, target + ".errors.csv", overwrite: true);
        }

        File.Move(path, target, overwrite: true);
    }
}

internal static partial class InboxLog
{
    [LoggerMessage(6101, LogLevel.Warning, "Inbox entry {Name} in {Folder} skipped, not read: {Reason}")]
    public static partial void Skipped(ILogger logger, string name, string folder, string reason);
}
