using System.Globalization;
using Cronos;
using Microsoft.Extensions.Options;
using Worker.Database;
using Worker.Ingestion.Csv;
using Worker.Jobs;
using Worker.Kpi;

namespace Worker.Hosting;

/// <summary>The one-shot commands: each prints its result to stdout and returns the exit code.</summary>
internal static class WorkerCommands
{
    public static async Task<int> MigrateAsync(IServiceProvider services, bool seed)
    {
        var report = await services.GetRequiredService<Migrator>().MigrateAsync(seed);
        foreach (var line in report.Applied.Select(a => "applied " + a).Concat(report.Notes))
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    public static int ListJobs(IServiceProvider services)
    {
        var catalogue = services.GetRequiredService<JobCatalogue>();
        var now = DateTime.UtcNow;
        var rows = catalogue.Jobs.OrderBy(j => j.Id, StringComparer.Ordinal).Select(j => new[]
        {
            j.Id, j.Type, j.Cron, j.TimeZone.Id, j.Queue, j.Enabled ? "yes" : "no", j.Enabled ? NextRun(j, now) : "never (disabled)",
        }).ToList();
        rows.Insert(0, ["id", "type", "cron", "time zone", "queue", "enabled", "next run (job's zone)"]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        return 0;
    }

    public static async Task<int> RunJobAsync(IServiceProvider services, string jobId)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(seed: false);
        await using var scope = services.CreateAsyncScope();
        var summary = await scope.ServiceProvider.GetRequiredService<JobRunner>().RunAsync(jobId, "command", null, CancellationToken.None);
        Console.WriteLine(summary.ToJson());
        if (services.GetRequiredService<JobCatalogue>().Get(jobId).Type == KpiSnapshotJob.TypeName)
        {
            Console.WriteLine();
            KpiFormat.WriteTable(Console.Out, await services.GetRequiredService<KpiScorecard>().ReadAllAsync(CancellationToken.None));
        }

        return 0;
    }

    /// <summary>
    /// Loads one file in this process and prints the outcome: counts on success, every error as
    /// file:line: column 'name' value 'x' reason otherwise. Recorded in the import history (not for dry runs).
    /// </summary>
    public static async Task<int> ImportAsync(IServiceProvider services, CommandLine command)
    {
        var (datasetName, path) = (command.Arguments[0], command.Arguments[1]);
        var dataset = Datasets.Find(datasetName);
        if (dataset is null)
        {
            Console.WriteLine($"Unknown dataset '{datasetName}'. Known: {string.Join(", ", Datasets.Every.Select(d => d.Name))}.");
            return 2;
        }

        // `dotnet run --project src/Worker` runs in src/Worker: a relative path typed at the repository root is found there too.
        if (!File.Exists(path) && !Path.IsPathRooted(path) && File.Exists(Path.Combine(services.GetRequiredService<ContentRootPath>().Path, path)))
        {
            path = Path.Combine(services.GetRequiredService<ContentRootPath>().Path, path);
        }

        if (!File.Exists(path))
        {
            Console.WriteLine($"{path}: no such file (looked in {Environment.CurrentDirectory} and {services.GetRequiredService<ContentRootPath>().Path}).");
            return 1;
        }

        var (set, setProblem) = ImportOptions.ParseSet(command.Values("--set"));
        var dateFormat = command.Value("--date-format");
        if ((setProblem ?? (dateFormat is null ? null : DateFormats.Problem(dateFormat))) is { } problem)
        {
            Console.WriteLine(problem);
            return 2;
        }

        var imports = services.GetRequiredService<IOptions<ImportsOptions>>().Value;
        var options = new ImportOptions
        {
            DryRun = command.HasFlag("--dry-run"),
            Partial = command.HasFlag("--partial"),
            DecimalComma = command.HasFlag("--decimal-comma") ? command.Value("--decimal-comma") is not ("false" or "no" or "0") : null,
            DateFormat = dateFormat,
            SumDuplicates = command.HasFlag("--sum-duplicates"),
            Set = set,
            MaxErrors = int.TryParse(command.Value("--max-errors"), out var max) && max > 0 ? max : imports.MaxErrors,
        };
        await services.GetRequiredService<Migrator>().MigrateAsync(seed: false);
        var fileName = Path.GetFileName(path);
        var user = Environment.UserName;
        ImportResult result;
        try
        {
            if (options.DryRun)
            {
                await using var stream = File.OpenRead(path);
                result = await services.GetRequiredService<CsvImporter>().ImportAsync(dataset, stream, fileName, options, new ImportActor(null, $"import:cli:{user}"), null,
                    CancellationToken.None, reopen: () => File.OpenRead(path));
            }
            else
            {
                var batches = services.GetRequiredService<ImportBatches>();
                Guid batchId;
                await using (var stream = File.OpenRead(path))
                {
                    batchId = await batches.CreateAsync(dataset.Name, fileName, stream, "cli", null, user, options, imports.MaxFileBytes, CancellationToken.None);
                }

                result = await services.GetRequiredService<ImportJob>().RunAsync(batchId, dataset.Name, fileName, CancellationToken.None)
                    ?? throw new ImportRejectedException((await batches.FindAsync(batchId))!.Message!);
            }
        }
        catch (Exception ex) when (ex is ImportRejectedException or FileTooLargeException)
        {
            Console.WriteLine($"{fileName}: {ex.Message}");
            return 1;
        }

        return PrintResult(result, fileName, dataset.Name);
    }

    /// <summary>
    /// Loads an interrupted batch again from its stored file, in this process (under the batch's lease,
    /// like a worker's job), and prints the outcome as <c>import</c> does. A batch that is not
    /// interrupted, or whose file was pruned, is refused with the reason.
    /// </summary>
    public static async Task<int> RerunImportAsync(IServiceProvider services, string batchId)
    {
        if (!Guid.TryParse(batchId, out var id))
        {
            Console.WriteLine($"'{batchId}' is not an import batch id (a uuid, as /uploads/<id> and GET /api/imports/<id> show it).");
            return 2;
        }

        await services.GetRequiredService<Migrator>().MigrateAsync(seed: false);
        var batches = services.GetRequiredService<ImportBatches>();
        var batch = await batches.FindAsync(id);
        if (ImportRerun.Refusal(batch, id) is { } refused)
        {
            Console.WriteLine(refused.Message);
            return 1;
        }

        Console.WriteLine($"Re-running {batch!.FileName} → {batch.Dataset} (batch {id}, run {batch.Attempts + 1}).");
        try
        {
            var result = await services.GetRequiredService<ImportJob>().RunAsync(id, batch.Dataset, batch.FileName, CancellationToken.None)
                ?? throw new ImportRejectedException((await batches.FindAsync(id))!.Message!);
            return PrintResult(result, batch.FileName, batch.Dataset);
        }
        catch (ImportRejectedException ex)
        {
            Console.WriteLine($"{batch.FileName}: {ex.Message}");
            return 1;
        }
        catch (ImportBusyException ex)
        {
            Console.WriteLine(ex.Message);
            return 1;
        }
    }

    private static int PrintResult(ImportResult result, string fileName, string dataset)
    {
        foreach (var error in result.Errors)
        {
            Console.WriteLine(error.Describe(fileName));
        }

        foreach (var note in result.Notes)
        {
            Console.WriteLine(note);
        }

        var verb = result.Status switch { ImportStatus.Loaded => "loaded", ImportStatus.PartiallyLoaded => "partially loaded", _ => "refused, nothing changed" };
        Console.WriteLine($"{fileName} → {dataset}: {verb}{(result.DryRun ? " (dry run)" : "")}. {result.RowsRead} rows read, {result.Inserted} inserted, " +
            $"{result.Updated} updated, {result.Unchanged} unchanged, {result.Rejected} rejected, {result.Skipped} totals rows skipped" +
            (result.Combined > 0 ? $", {result.Combined} rows combined with another of the same key." : "."));
        return result.Succeeded ? 0 : 1;
    }

    internal static string NextRun(JobDefinition job, DateTime utcNow)
    {
        var format = job.Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        var next = CronExpression.Parse(job.Cron, format).GetNextOccurrence(new DateTimeOffset(utcNow, TimeSpan.Zero), job.TimeZone);
        return next?.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture) ?? "never";
    }
}
