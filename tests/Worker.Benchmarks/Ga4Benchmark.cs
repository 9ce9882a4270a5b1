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
/// managed heap sampled during each.
/// </summary>
internal static class Ga4Benchmark
{
    private const int Days = 200;
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

    public static async Task RunAsync(BenchmarkDatabase database)
    {
        await using var fake = await FakeGa4Server.StartAsync();
        var property = fake.AddProperty("1000001", "Pacific/Auckland");
        property.Channels = Enumerable.Range(0, Channels).Select(i => $"Channel {i:D5}").ToList();
        property.TokensPerDayRemaining = 1_000_000_000; // QuotaStatus is int32 in the proto
        property.TokensPerHourRemaining = 1_000_000_000;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(property.TimeZone);
        var yesterday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime).AddDays(-1);
        var start = yesterday.AddDays(1 - Days);
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
            .BuildServiceProvider();
        var client = services.GetRequiredService<IGa4DataClient>();
        var parameters = new Ga4SyncParameters { PropertyId = property.Id, Report = "channels", StartDate = start, LookbackDays = 3 };

        Console.WriteLine($"{Days * (long)Channels:N0} channel rows ({Days} days × {Channels:N0} channels), slices of 30 days, pages of 100,000 rows; medians of {Runs} runs.");
        var (reads, syncs, readPeaks, syncPeaks) = (new List<double>(), new List<double>(), new List<long>(), new List<long>());
        for (var run = 0; run < Runs; run++)
        {
            var (readSeconds, readPeak) = await MeasureAsync(async () =>
            {
                var rows = await ReadOnlyAsync(client, property.Id, start, yesterday);
                Check(rows == (long)Days * Channels, $"read {rows} rows");
            });
            await ResetAsync(database);
            var (syncSeconds, syncPeak) = await MeasureAsync(async () =>
            {
                await using var scope = services.CreateAsyncScope();
                var summary = await scope.ServiceProvider.GetRequiredService<Ga4SyncJob>().RunAsync(parameters, CancellationToken.None);
                Check(summary.RowsRead == (long)Days * Channels && summary.RowsWritten == summary.RowsRead, $"synced {summary.RowsRead} / {summary.RowsWritten}");
            });
            await using (var connection = await database.DataSource.OpenConnectionAsync())
            {
                Check(await connection.ExecuteScalarAsync<long>("select count(*) from digital_channels where source = 'ga4:1000001'") == (long)Days * Channels, "stored rows");
            }

            reads.Add(readSeconds);
            syncs.Add(syncSeconds);
            readPeaks.Add(readPeak);
            syncPeaks.Add(syncPeak);
        }

        var (read, sync) = (Median(reads), Median(syncs));
        Console.WriteLine("| case | time | rows/s | peak managed heap |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine(FormattableString.Invariant($"| read the pages, store nothing (baseline) | {read:F1} s | {Days * (double)Channels / read:N0} | {readPeaks.Max() / 1048576.0:F0} MiB |"));
        Console.WriteLine(FormattableString.Invariant($"| sync: read, stage, merge, commit per slice | {sync:F1} s | {Days * (double)Channels / sync:N0} | {syncPeaks.Max() / 1048576.0:F0} MiB |"));
        Console.WriteLine(FormattableString.Invariant($"ratio sync / read: {sync / read:F2}×"));
        Directory.Delete(directory, recursive: true);
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
