using System.Collections.Concurrent;
using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Database;
using Worker.Jobs;

namespace Worker.Benchmarks;

/// <summary>
/// How long a job enqueued by another process (an upload taken by one worker) waits before an idle
/// worker starts it, and what idle polling costs, for the worker's queue poll interval (1 s) against
/// Hangfire.PostgreSql's default (15 s, the baseline). Each job is enqueued by a child process: in
/// one process Hangfire.PostgreSql wakes its workers through a process-wide signal, which would hide
/// the polling delay this measures.
/// </summary>
internal static class PickupLatencyBenchmark
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<DateTime>> Started = new();

    public static async Task RunAsync(BenchmarkDatabase database)
    {
        var catalogue = Directory.CreateTempSubdirectory("bench-jobs-").FullName;
        File.WriteAllText(Path.Combine(catalogue, "probe.json"), """{ "id": "probe", "type": "probe", "cron": "0 0 1 1 *", "queue": "b_ingest" }""");
        GlobalJobFilters.Filters.Add(new StartWatcher());
        Console.WriteLine("| poll interval | samples | median pickup | p95 pickup | max pickup | idle CPU (worker + PostgreSQL) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (poll, samples) in new[] { (1.0, 30), (15.0, 8) })
        {
            var row = await MeasureAsync(database.ConnectionString, catalogue, poll, samples);
            Console.WriteLine($"| {poll:0.#} s{(poll == 15 ? " (Hangfire default, baseline)" : " (worker default)")} | {samples} | {row.Median:F0} ms | {row.P95:F0} ms | {row.Max:F0} ms | {row.IdleCpuPercent:F1} % of one core |");
        }

        Directory.Delete(catalogue, recursive: true);
    }

    private static async Task<(double Median, double P95, double Max, double IdleCpuPercent)> MeasureAsync(string connectionString, string catalogue, double pollSeconds, int samples)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = connectionString,
            ["Hangfire:CatalogueDirectory"] = catalogue,
            ["Hangfire:QueuePollIntervalSeconds"] = pollSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var contentRoot = Worker.Hosting.ContentRoot.Locate();
        var endpoint = await DatabaseEndpoint.ResolveAsync(builder.Configuration, contentRoot, NullLogger.Instance);
        builder.Services.AddWorkerDatabase(endpoint, contentRoot);
        builder.Services.AddWorkerJobs(endpoint, contentRoot);
        builder.Services.AddJobType<ProbeJob, ProbeJob.NoParameters>("probe", (job, _, ct) => job.RunAsync(ct));
        using var host = builder.Build();
        await host.StartAsync();

        // Let every worker of the server go idle in its poll loop first.
        await Task.Delay(TimeSpan.FromSeconds(pollSeconds + 1));
        var latencies = new List<double>();
        for (var i = 0; i < samples; i++)
        {
            // A random pause spreads the enqueues over the poll cycle, as real uploads are.
            await Task.Delay(TimeSpan.FromSeconds(Random.Shared.NextDouble() * pollSeconds));
            var (id, enqueuedAt) = await EnqueueFromAnotherProcessAsync(connectionString);
            var started = await Started.GetOrAdd(id, _ => new TaskCompletionSource<DateTime>()).Task.WaitAsync(TimeSpan.FromSeconds(pollSeconds * 3 + 10));
            latencies.Add((started - enqueuedAt).TotalMilliseconds);
        }

        var idleCpu = await IdleCpuPercentAsync(TimeSpan.FromSeconds(15));
        await host.StopAsync();
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
        latencies.Sort();
        return (latencies[latencies.Count / 2], latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(latencies.Count * 0.95) - 1)], latencies[^1], idleCpu);
    }

    /// <summary>Runs this program as a child that enqueues one probe job; it prints the job id and when it enqueued it.</summary>
    private static async Task<(string Id, DateTime EnqueuedAt)> EnqueueFromAnotherProcessAsync(string connectionString)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PickupLatencyBenchmark).Assembly.Location);
        }

        start.ArgumentList.Add(EnqueueCommand);
        start.Environment["WORKER_BENCH_CONNECTION"] = connectionString;
        using var child = Process.Start(start)!;
        var output = (await child.StandardOutput.ReadToEndAsync()).Trim().Split(' ');
        await child.WaitForExitAsync();
        return (output[0], new DateTime(long.Parse(output[1], System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc));
    }

    public const string EnqueueCommand = "enqueue-probe";

    /// <summary>The child's side: a client with no server behind it, like a worker that took an upload.</summary>
    public static int EnqueueProbe()
    {
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false };
        var connectionString = Environment.GetEnvironmentVariable("WORKER_BENCH_CONNECTION")!;
        var client = new BackgroundJobClient(new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options));
        // Warm the client up (JIT, connection) with a job created straight into Deleted, which never runs.
        client.Create<JobRunner>(r => r.RunAsync("probe", "upload", null, CancellationToken.None), new Hangfire.States.DeletedState());
        var enqueuedAt = DateTime.UtcNow;
        var id = client.Enqueue<JobRunner>(Queues.Ingest, r => r.RunAsync("probe", "upload", null, CancellationToken.None));
        Console.WriteLine($"{id} {enqueuedAt.Ticks}");
        return 0;
    }

    /// <summary>CPU used by this process and every PostgreSQL process while nothing is enqueued.</summary>
    private static async Task<double> IdleCpuPercentAsync(TimeSpan window)
    {
        var before = CpuSeconds();
        var clock = Stopwatch.StartNew();
        await Task.Delay(window);
        return (CpuSeconds() - before) / clock.Elapsed.TotalSeconds * 100;
    }

    private static double CpuSeconds()
    {
        var ticksPerSecond = 100.0; // USER_HZ on Linux
        double total = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        foreach (var stat in Directory.GetDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)).Select(d => Path.Combine(d, "stat")))
        {
            try
            {
                var text = File.ReadAllText(stat);
                var close = text.LastIndexOf(')');
                if (!text[(text.IndexOf('(') + 1)..close].StartsWith("postgres", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = text[(close + 2)..].Split(' ');
                total += (double.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / ticksPerSecond;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // the process ended meanwhile
            }
        }

        return total;
    }

    internal sealed class ProbeJob
    {
        public Task<JobSummary> RunAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new JobSummary(0, 0, new Dictionary<string, object?>()));

        internal sealed record NoParameters;
    }

    /// <summary>Notes the moment a worker takes a job (its Processing state).</summary>
    private sealed class StartWatcher : Hangfire.Common.JobFilterAttribute, Hangfire.States.IApplyStateFilter
    {
        public void OnStateApplied(Hangfire.States.ApplyStateContext context, Hangfire.Storage.IWriteOnlyTransaction transaction)
        {
            if (context.NewState is Hangfire.States.ProcessingState)
            {
                Started.GetOrAdd(context.BackgroundJob.Id, _ => new TaskCompletionSource<DateTime>()).TrySetResult(DateTime.UtcNow);
            }
        }

        public void OnStateUnapplied(Hangfire.States.ApplyStateContext context, Hangfire.Storage.IWriteOnlyTransaction transaction)
        {
        }
    }
}
