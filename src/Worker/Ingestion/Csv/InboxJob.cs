using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
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
}

/// <summary>
/// Imports every *.csv file in an inbox folder, oldest first, then moves it to processed/ or, with an
/// error report beside it (&lt;file&gt;.errors.csv), to rejected/. A file is moved only after its load
/// committed, so a crash leaves it in the inbox and the next run loads it again (harmlessly: loading is
/// idempotent).
/// </summary>
public sealed class InboxJob(ImportBatches batches, ImportJob importJob, IOptions<ImportsOptions> imports, Worker.Hosting.ContentRootPath contentRoot)
{
    public const string TypeName = "import-inbox";

    public async Task<JobSummary> RunAsync(InboxParameters parameters, CancellationToken cancellationToken)
    {
        if (Datasets.Find(parameters.Dataset) is null)
        {
            throw new JobInputException($"Unknown dataset '{parameters.Dataset}' (known: {string.Join(", ", Datasets.All.Select(d => d.Name))}).");
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

        long files = 0, rowsRead = 0, rowsWritten = 0, refused = 0;
        foreach (var path in new DirectoryInfo(folder).GetFiles("*.csv").OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => f.FullName))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetFileName(path);
            Guid batchId;
            try
            {
                await using var stream = File.OpenRead(path);
                batchId = await batches.CreateAsync(parameters.Dataset, name, stream, "inbox", null, "inbox", options, imports.Value.MaxFileBytes, cancellationToken);
            }
            catch (FileTooLargeException ex)
            {
                await MoveAsync(path, rejected, [new ImportError(null, null, null, ex.Message)]);
                refused++;
                continue;
            }

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

        return new JobSummary(rowsRead, rowsWritten, new Dictionary<string, object?> { ["files"] = files, ["filesWithErrors"] = refused, ["dataset"] = parameters.Dataset });
    }

    /// <summary>Moves the file, replacing an older one of the same name, with its error report beside it.</summary>
    private static async Task MoveAsync(string path, string folder, IReadOnlyList<ImportError>? errors)
    {
        var target = Path.Combine(folder, Path.GetFileName(path));
        if (errors is { Count: > 0 })
        {
            await File.WriteAllTextAsync(target + ".errors.csv", ErrorReport.ToCsv(Path.GetFileName(path), errors));
        }

        File.Move(path, target, overwrite: true);
    }
}
