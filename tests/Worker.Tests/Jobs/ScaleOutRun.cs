using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Worker.Jobs;
using Worker.Tests.Hosting;

namespace Worker.Tests.Jobs;

/// <summary>What a batch of jobs did on real worker processes: how long, where each ran, and how often.</summary>
public sealed record ScaleOutResult(int Jobs, TimeSpan Enqueue, TimeSpan Wall, int Succeeded, int RunRows, int Duplicates, int Missing, int TakenTwice,
    IReadOnlyList<int> PerProcess, int ElsewhereOrUnknown)
{
    public double JobsPerSecond => Jobs / Wall.TotalSeconds;
}

/// <summary>
/// Real worker executables (the same as production) on one database, with a catalogue of one cheap
/// job (<c>recover-interrupted-imports</c>, which reads and writes the database); a batch of its runs is
/// enqueued from this process, as other workers' uploads and triggers are, and read back from what the
/// runs wrote (worker.job_runs) and Hangfire's own states. Shared by the CI test and the benchmark.
/// </summary>
public sealed class ScaleOutRun : IAsyncDisposable
{
    public const string JobId = "scale-probe";
    private readonly string _connectionString;
    private readonly string _catalogue;
    private readonly List<WorkerProcess> _workers = [];

    private ScaleOutRun(string connectionString, string catalogue)
    {
        _connectionString = connectionString;
        _catalogue = catalogue;
    }

    public IReadOnlyList<WorkerProcess> Workers => _workers;

    public static async Task<ScaleOutRun> StartAsync(string connectionString, int processes, double queuePollSeconds, TimeSpan timeout)
    {
        var catalogue = Directory.CreateTempSubdirectory("scale-jobs-").FullName;
        await File.WriteAllTextAsync(Path.Combine(catalogue, JobId + ".json"),
            $$"""{ "id": "{{JobId}}", "type": "recover-interrupted-imports", "cron": "0 0 1 1 *", "queue": "{{Queues.Ingest}}" }""");
        var run = new ScaleOutRun(connectionString, catalogue);
        for (var i = 0; i < processes; i++)
        {
            run._workers.Add(WorkerProcess.Start(connectionString, new Dictionary<string, string>
            {
                ["Hangfire__CatalogueDirectory"] = catalogue,
                ["Hangfire__QueuePollIntervalSeconds"] = queuePollSeconds.ToString(CultureInfo.InvariantCulture),
            }, "--urls", $"http://127.0.0.1:{WorkerProcess.FreePort()}"));
        }

        await Task.WhenAll(run._workers.Select(w => w.WaitForOutputAsync("Application started", timeout)));
        return run;
    }

    /// <summary>Enqueues <paramref name="jobs"/> runs (8 at a time), waits until every one has finished, and reads back where and how often each ran.</summary>
    public async Task<ScaleOutResult> RunJobsAsync(int jobs, TimeSpan timeout)
    {
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false };
        var client = new BackgroundJobClient(new PostgreSqlStorage(new NpgsqlConnectionFactory(_connectionString, options), options));
        var ids = new ConcurrentBag<long>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = 8 }, (_, _) =>
        {
            ids.Add(long.Parse(client.Enqueue<JobRunner>(Queues.Ingest, r => r.RunAsync(JobId, JobTriggers.Manual, null, CancellationToken.None)), CultureInfo.InvariantCulture));
            return ValueTask.CompletedTask;
        });
        var enqueued = clock.Elapsed;
        var all = ids.ToArray();
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        while (await connection.ExecuteScalarAsync<long>("select count(*) from hangfire.job where id = any(@all) and statename in ('Succeeded', 'Failed', 'Deleted')", new { all }) < jobs)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Not every one of {jobs} jobs had finished after {timeout}.");
            }

            await Task.Delay(20);
        }

        var wall = clock.Elapsed;
        var succeeded = await connection.ExecuteScalarAsync<int>("select count(*) from hangfire.job where id = any(@all) and statename = 'Succeeded'", new { all });
        var hangfireIds = all.Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var runs = (await connection.QueryAsync<(string Id, int Runs)>(
            "select hangfire_job_id, count(*)::int from worker.job_runs where hangfire_job_id = any(@hangfireIds) group by 1", new { hangfireIds })).ToList();
        var taken = (await connection.QueryAsync<(long Id, string ServerId)>(
            "select jobid, data ->> 'ServerId' from hangfire.state where name = 'Processing' and jobid = any(@all)", new { all })).ToList();
        var pids = _workers.Select(w => w.Id.ToString(CultureInfo.InvariantCulture)).ToList();
        var perProcess = pids.Select(pid => taken.Count(t => ProcessOf(t.ServerId) == pid)).ToList();
        return new ScaleOutResult(jobs, enqueued, wall, succeeded, runs.Sum(r => r.Runs), runs.Sum(r => r.Runs - 1), jobs - runs.Count,
            taken.GroupBy(t => t.Id).Count(g => g.Count() > 1), perProcess, taken.Count - perProcess.Sum());
    }

    /// <summary>Hangfire's server id is the worker's server name (machine:pid) and its own suffix.</summary>
    private static string? ProcessOf(string? serverId) => serverId?.Split(':') is [_, var pid, ..] ? pid : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            worker.SendTerminate();
        }

        foreach (var worker in _workers)
        {
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await worker.DisposeAsync();
        }

        Directory.Delete(_catalogue, recursive: true);
    }
}
