using Microsoft.Extensions.Logging.Abstractions;
using Worker.Benchmarks;
using Worker.Database;
using Worker.Hosting;

// Benchmarks of the worker, each against a named baseline measured in the same run.
//   dotnet run -c Release --project tests/Worker.Benchmarks -- rls|pickup|import|ga4|kpi|scaleout|uploads
// Uses WORKER_BENCH_DATABASE (a server where it may create a database) if set, else a throwaway
// local cluster with fsync on, like a real server.
//   ga4 takes an optional row count (default 1,000,000), e.g. `-- ga4 200000` while iterating.
var benchmarks = new Dictionary<string, Func<BenchmarkDatabase, Task>>(StringComparer.Ordinal)
{
    ["rls"] = RlsBenchmark.RunAsync,
    ["pickup"] = PickupLatencyBenchmark.RunAsync,
    ["import"] = ImportBenchmark.RunAsync,
    ["ga4"] = database => Ga4Benchmark.RunAsync(database, args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : Ga4Benchmark.DefaultRows),
    ["kpi"] = KpiBenchmark.RunAsync,
    ["scaleout"] = ScaleOutBenchmark.RunAsync,
    ["uploads"] = UploadsBenchmark.RunAsync,
};

if (args is [PickupLatencyBenchmark.EnqueueCommand])
{
    return PickupLatencyBenchmark.EnqueueProbe();
}

if (args is [ImportBenchmark.ImportOnceCommand, var file])
{
    return await ImportBenchmark.ImportOnceAsync(file);
}

if (args is [Ga4Benchmark.FakeCommand, ..])
{
    return await Ga4Benchmark.ServeFakeAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8089);
}

if (args.Length is 0 || (args.Length > 1 && args[0] != "ga4") || args.Length > 2 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"Usage: Worker.Benchmarks <{string.Join('|', benchmarks.Keys)}>");
    return 2;
}

await using var database = await BenchmarkDatabase.CreateAsync(new SupabaseProject(Path.Combine(ContentRoot.Locate(), "supabase")), NullLogger.Instance);
Console.WriteLine($"machine: {MachineDescription.Describe()}");
await run(database);
return 0;
