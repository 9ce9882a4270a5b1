using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Worker.Ingestion.Ga4;
using Worker.Tests.Ingestion.Ga4;

namespace Worker.Benchmarks;

/// <summary>
/// The GA4 channel sync of 1,000,000 rows (200 days × 5,000 channels, 30-day slices, pages of 100,000)
/// through the loopback fake into digital_channels, against the baseline of reading the same JSON pages
/// from the same fake with the same client without storing them. Medians of alternating runs; peak
/// managed heap sampled during each. The row count is an argument (`-- ga4 200000`), rounded to whole days.
/// </summary>
internal static class Ga4Benchmark
{
    public const long DefaultRows = 1_000_000;
    private const int Channels = 5_000;
    private const int Runs = 3;

    public const string FakeCommand = "ga4-fake";

    /// <summary>
    /// For local demos: the fake GA4 server on a fixed loopback port with property 123456789 (Pacific/Auckland)
    /// and a fresh service-account key, until Ctrl+C. Prints the settings that point a worker at it.
    /// </summary>
    public static async Task<int> ServeFakeAsync(int port)
    {
        await using var fake = await FakeGa4Server.StartAsync(port: port);
        fake.AddProperty("123456789", "Pacific/Auckland");
        var directory = Directory.CreateTempSubdirectory("ga4-fake-").FullName;
        var key = fake.WriteServiceAccountKey(directory);
        Console.WriteLine($"Fake GA4 Data API on {fake.BaseUrl} with property 123456789. Point a worker at it:");
        Console.WriteLine($"  Ga4__BaseUrl={fake.BaseUrl} Ga4__CredentialsFile={key}");
        Console.WriteLine("and set \"propertyId\": \"123456789\" in jobs/ga4-*.json. Ctrl+C stops it.");
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        Directory.Delete(directory, recursive: true);
        return 0;
    }

    public static async Task RunAsync(BenchmarkDatabase database, long rows)
    {
        var days = (int)Math.Max(1, rows / Channels);
        var total = (long)days * Channels;
        await using var fake = await FakeGa4Server.StartAsync();
        var property = fake.AddProperty("1000001", "Pacific/Auckland");
        property.Channels = Enumerable.Range(0, Channels).Select(i => $"Channel {i:D5}").ToList();
        property.TokensPerDayRemaining = 1_000_000_000; // QuotaStatus is int32 in the proto
        property.TokensPerHourRemaining = 1_000_000_000;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(property.TimeZone);
        var yesterday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime).AddDays(-1);
        var start = yesterday.AddDays(1 - days);
        var directory = Directory.CreateTempSubdirectory("bench-ga4-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ga4:BaseUrl"] = fake.BaseUrl.ToString(),
            ["Ga4:CredentialsFile"] = fake.WriteServiceAccountKey(directory),
            ["Ga4:PageSize"] = "100000",
            ["Ga4:SliceDays"] = "30",
        }).Build();
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(database.DataSource)
            .AddGa4Ingestion()
            .AddSingleton<TimedClient>(provider => new(ActivatorUtilities.CreateInstance<Ga4DataClient>(provider)))
            .AddSingleton<IGa4DataClient>(provider => provider.GetRequiredService<TimedClient>())
            .BuildServiceProvider();
        var timed = services.GetRequiredService<TimedClient>();
        var client = services.GetRequiredService<IGa4DataClient>();
        var parameters = new Ga4SyncParameters { PropertyId = property.Id, Report = "channels", StartDate = start, LookbackDays = 3 };

        Console.WriteLine($"{total:N0} channel rows ({days} days × {Channels:N0} channels), slices of 30 days, pages of 100,000 rows; medians of {Runs} runs; load average before: {LoadAverage()}.");
        var (reads, syncs, syncReading, readPeaks, syncPeaks) = (new List<double>(), new List<double>(), new List<double>(), new List<long>(), new List<long>());
        for (var run = 0; run < Runs; run++)
        {
            var (readSeconds, readPeak) = await MeasureAsync(async () =>
            {
                var read = await ReadOnlyAsync(client, property.Id, start, yesterday);
                Check(read == total, $"read {read} rows");
            });
            await ResetAsync(database);
            timed.Reset();
            var (syncSeconds, syncPeak) = await MeasureAsync(async () =>
            {
                await using var scope = services.CreateAsyncScope();
                var summary = await scope.ServiceProvider.GetRequiredService<Ga4SyncJob>().RunAsync(parameters, CancellationToken.None);
                Check(summary.RowsRead == total && summary.RowsWritten == summary.RowsRead, $"synced {summary.RowsRead} / {summary.RowsWritten}");
            });
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                Check(await connection.ExecuteScalarAsync<long>("select count(*) from digital_channels where source = 'ga4:1000001'") == total, "stored rows");
            }

            Console.WriteLine(FormattableString.Invariant($"run {run + 1}: read {readSeconds:F2} s, sync {syncSeconds:F2} s (of which {timed.Seconds:F2} s inside the client's calls), {syncSeconds / readSeconds:F2}×; load {LoadAverage()}"));
            reads.Add(readSeconds);
            syncs.Add(syncSeconds);
            syncReading.Add(timed.Seconds);
            readPeaks.Add(readPeak);
            syncPeaks.Add(syncPeak);
        }

        var (median, sync) = (Median(reads), Median(syncs));
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Console.WriteLine();
        Console.WriteLine($"Machine: {MachineDescription.Describe()}; load average after: {LoadAverage()}.");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"| case ({total:N0} rows) | time | rows/s | peak managed heap |"));
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine(FormattableString.Invariant($"| read the pages, store nothing (baseline) | {median:F2} s | {total / median:N0} | {readPeaks.Max() / 1048576.0:F0} MiB |"));
        Console.WriteLine(FormattableString.Invariant($"| sync: read and write at once, commit per slice | {sync:F2} s | {total / sync:N0} | {syncPeaks.Max() / 1048576.0:F0} MiB |"));
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"Ratio sync / read: **{sync / median:F2}×** (target ≤ 1.5×). Time the sync spent inside the client's calls (reading, median): {Median(syncReading):F2} s. Peak working set of the whole process (fake server included): {self.PeakWorkingSet64 / 1048576.0:F0} MiB."));
        Directory.Delete(directory, recursive: true);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The sync's client, timing what is spent inside its calls (HTTP, the fake answering, deserialising).</summary>
    private sealed class TimedClient(IGa4DataClient inner) : IGa4DataClient
    {
        private long _ticks;

        public double Seconds => TimeSpan.FromTicks(Interlocked.Read(ref _ticks)).TotalSeconds;

        public void Reset() => Interlocked.Exchange(ref _ticks, 0);

        public Task<RunReportResponse> RunReportAsync(RunReportRequest request, CancellationToken cancellationToken) =>
            TimeAsync(() => inner.RunReportAsync(request, cancellationToken));

        public Task<BatchRunReportsResponse> BatchRunReportsAsync(BatchRunReportsRequest request, CancellationToken cancellationToken) =>
            TimeAsync(() => inner.BatchRunReportsAsync(request, cancellationToken));

        private async Task<T> TimeAsync<T>(Func<Task<T>> call)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await call();
            }
            finally
            {
                Interlocked.Add(ref _ticks, Stopwatch.GetElapsedTime(started).Ticks);
            }
        }
    }

    /// <summary>The same requests, slices and pages as the sync, rows counted and dropped.</summary>
    private static async Task<long> ReadOnlyAsync(IGa4DataClient client, string propertyId, DateOnly from, DateOnly to)
    {
        long total = 0;
        for (var sliceStart = from; sliceStart <= to; sliceStart = sliceStart.AddDays(30))
        {
            var sliceEnd = sliceStart.AddDays(29) > to ? to : sliceStart.AddDays(29);
            var request = Ga4Report.Channels.Requests(propertyId, sliceStart, sliceEnd, "generate_lead")[0];
            long offset = 0;
            int? rowCount = null;
            while (rowCount is null || offset < rowCount)
            {
                var page = await client.RunReportAsync(request with { Offset = offset, Limit = 100_000 }, CancellationToken.None);
                rowCount = page.RowCount;
                offset = page.Rows.Count == 0 ? page.RowCount : offset + page.Rows.Count;
                total += page.Rows.Count;
            }
        }

        return total;
    }

    private static async Task ResetAsync(BenchmarkDatabase database)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("truncate public.digital_channels; delete from worker.ga4_sync_state; delete from worker.ga4_revisions");
        await connection.ExecuteAsync("vacuum analyze public.digital_channels");
    }

    private static async Task<(double Seconds, long PeakHeap)> MeasureAsync(Func<Task> operation)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var stop = new CancellationTokenSource();
        long peak = 0;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var started = Stopwatch.GetTimestamp();
        await operation();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await sampler;
        return (seconds, peak);
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("GA4 benchmark check failed: " + what);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
