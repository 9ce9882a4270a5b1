using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using Worker.Ingestion.Csv;

namespace Worker.Benchmarks;

/// <summary>
/// The CSV import's full path (parse, validate, stage by binary COPY, upsert) on a generated
/// digital_channels file, against the baseline of psql's \copy of the same file into the same empty
/// table, in the same run. Both skip the per-row audit trigger (worker.audit = 'batch'), as the import
/// does. Peak memory is measured in a child process per file size, so one size cannot inflate another.
/// </summary>
internal static class ImportBenchmark
{
    public const string ImportOnceCommand = "import-once";
    private const string Columns = "report_date, channel_name, visits, leads, conversions, cost";

    public static async Task RunAsync(BenchmarkDatabase database)
    {
        var folder = Directory.CreateTempSubdirectory("bench-import-").FullName;
        try
        {
            Console.WriteLine($"Medians of {Runs} runs each.");
            Console.WriteLine("| rows | file | psql \\copy, empty table (baseline) | import, empty table | import, unchanged reload | import, every row changed | ratios to baseline |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var rows in new[] { 100_000, 1_000_000 })
            {
                var file = Generate(folder, rows, variant: 0);
                var changed = Generate(folder, rows, variant: 1);
                // Each case Runs times, alternating with the baseline, reporting medians: single runs of
                // the same \copy varied by a third on this machine.
                var (copies, empties, reloads, everyRows) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
                for (var run = 0; run < Runs; run++)
                {
                    await TruncateAsync(database);
                    copies.Add(await TimeAsync(() => PsqlCopyAsync(database.ConnectionString, file)));
                    await TruncateAsync(database);
                    empties.Add(await TimeAsync(() => ImportAsync(database, file, expectInserted: rows)));
                    reloads.Add(await TimeAsync(() => ImportAsync(database, file, expectUnchanged: rows)));
                    everyRows.Add(await TimeAsync(() => ImportAsync(database, changed, expectUpdated: rows)));
                }

                var (copy, empty, reload, everyRow) = (Median(copies), Median(empties), Median(reloads), Median(everyRows));
                Console.WriteLine(FormattableString.Invariant(
                    $"| {rows:N0} | {new FileInfo(file).Length / 1048576.0:F0} MiB | {copy:F1} s | {empty:F1} s | {reload:F1} s | {everyRow:F1} s | {empty / copy:F2}× / {reload / copy:F2}× / {everyRow / copy:F2}× |"));
                File.Delete(changed);
            }

            Console.WriteLine();
            Console.WriteLine("| rows | peak working set of the importing process |");
            Console.WriteLine("| --- | --- |");
            foreach (var rows in new[] { 100_000, 1_000_000, 10_000_000 })
            {
                var file = Path.Combine(folder, $"channels-{rows}-0.csv");
                if (!File.Exists(file))
                {
                    file = Generate(folder, rows, variant: 0);
                }

                await TruncateAsync(database);
                Console.WriteLine(FormattableString.Invariant($"| {rows:N0} | {await PeakMemoryOfChildImportAsync(database.ConnectionString, file) / 1048576.0:F0} MiB |"));
                File.Delete(file);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The child's side: import one file, then print this process's peak working set.</summary>
    public static async Task<int> ImportOnceAsync(string file)
    {
        var connectionString = Environment.GetEnvironmentVariable("WORKER_BENCH_CONNECTION")!;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var stream = File.OpenRead(file);
        var result = await new CsvImporter(dataSource).ImportAsync(Datasets.DigitalChannels, stream, Path.GetFileName(file), new ImportOptions(), new ImportActor(null, "benchmark"), null,
            CancellationToken.None, reopen: () => File.OpenRead(file));
        if (result.Status != ImportStatus.Loaded)
        {
            throw new InvalidOperationException("The generated file did not load.");
        }

        using var self = Process.GetCurrentProcess();
        Console.WriteLine(self.PeakWorkingSet64.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    /// <summary>One row per (day, channel): 1,000 channels a day, values varying with the row and the variant.</summary>
    private static string Generate(string folder, int rows, int variant)
    {
        var path = Path.Combine(folder, $"channels-{rows}-{variant}.csv");
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), 1 << 20);
        writer.Write("Date,Channel,Sessions,Leads,Conversions,Cost\n");
        var start = new DateOnly(2000, 1, 1);
        for (var i = 0; i < rows; i++)
        {
            var date = start.AddDays(i / 1000);
            writer.Write(FormattableString.Invariant($"{date:yyyy-MM-dd},Channel {i % 1000:D4},{i % 5000 + variant},{i % 40},{i % 17}.5,{i % 9000 + variant}.25\n"));
        }

        return path;
    }

    private static async Task ImportAsync(BenchmarkDatabase database, string file, long? expectInserted = null, long? expectUnchanged = null, long? expectUpdated = null)
    {
        await using var stream = File.OpenRead(file);
        var result = await new CsvImporter(database.DataSource).ImportAsync(Datasets.DigitalChannels, stream, Path.GetFileName(file), new ImportOptions(), new ImportActor(null, "benchmark"), null,
            CancellationToken.None, reopen: () => File.OpenRead(file));
        if ((expectInserted is { } i && result.Inserted != i) || (expectUnchanged is { } u && result.Unchanged != u) || (expectUpdated is { } d && result.Updated != d))
        {
            throw new InvalidOperationException($"Unexpected counts {result.Inserted}/{result.Updated}/{result.Unchanged}: the benchmark would measure the wrong thing.");
        }
    }

    private static async Task PsqlCopyAsync(string connectionString, string file)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo("psql") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!,
                     "-c", "set worker.audit = 'batch'", "-c", $"\\copy public.digital_channels ({Columns}) from '{file}' with (format csv, header true)" })
        {
            start.ArgumentList.Add(arg);
        }

        if (builder.Password is { } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        using var psql = Process.Start(start)!;
        var error = psql.StandardError.ReadToEndAsync();
        await psql.WaitForExitAsync();
        if (psql.ExitCode != 0)
        {
            throw new InvalidOperationException("psql failed: " + await error);
        }
    }

    private static async Task<long> PeakMemoryOfChildImportAsync(string connectionString, string file)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ImportBenchmark).Assembly.Location);
        }

        start.ArgumentList.Add(ImportOnceCommand);
        start.ArgumentList.Add(file);
        start.Environment["WORKER_BENCH_CONNECTION"] = connectionString;
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return child.ExitCode == 0 ? long.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture) : throw new InvalidOperationException("The child import failed.");
    }

    private static async Task TruncateAsync(BenchmarkDatabase database)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        // One statement each: VACUUM refuses to run inside a multi-statement batch.
        foreach (var statement in new[] { "truncate public.digital_channels", "vacuum analyze public.digital_channels", "checkpoint;" })
        {
            await connection.ExecuteAsync(statement);
        }
    }

    private const int Runs = 3;

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalSeconds;
    }
}
