using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Worker.Database;
using Worker.Tests.Hosting;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>
/// A bad day in production, with real processes: the worker killed mid-import, PostgreSQL restarted
/// mid-job. Nothing is ever half-loaded and every file ends loaded exactly once.
/// </summary>
public sealed class ImportFaultTests
{
    private const int Rows = 200_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_worker_killed_mid_import_leaves_nothing_and_after_a_restart_the_file_is_loaded_exactly_once()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        using var setup = new InboxSetup();

        // The worker's process running the inbox job (as `run` does, or the host's job server), killed mid-import.
        await using (var doomed = setup.Start(db.ConnectionString, "run", "fault-inbox"))
        {
            await WaitForAsync(db.DataSource, "select count(*) > 0 from worker.import_batches where status = 'running'");
            await doomed.KillAsync(); // kill -9, mid-import
        }

        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from digital_channels")); // nothing partial

        await using var restarted = setup.StartWorker(db.ConnectionString);
        await WaitForAsync(db.DataSource, "select count(*) > 0 from worker.import_batches where status = 'loaded'");
        await WaitForAsync(db.DataSource, "select count(*) = 0 from worker.import_batches where status = 'running'");

        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("select count(*) from digital_channels"));
        var batches = (await connection.QueryAsync<(string Status, long? Inserted, string? Message)>(
            "select status, inserted, message from worker.import_batches order by created_at")).ToList();
        Assert.Equal(("interrupted", null), (batches[0].Status, batches[0].Inserted));
        Assert.Contains("stopped before it finished", batches[0].Message, StringComparison.Ordinal);
        Assert.Equal([("loaded", (long?)Rows)], batches.Skip(1).Select(b => (b.Status, b.Inserted)));
        Assert.True(File.Exists(Path.Combine(setup.Inbox, "processed", "big.csv")));
    }

    [Fact]
    public async Task PostgreSQL_restarted_mid_job_the_job_is_retried_and_loads_the_file_exactly_once()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"worker-restart-{Guid.NewGuid():N}");
        await using var cluster = await LocalPostgresCluster.StartAsync(folder, throwaway: true, NullLogger.Instance);
        await cluster.EnsureDatabaseAsync("worker");
        var connectionString = cluster.ConnectionString("worker");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        using var setup = new InboxSetup();

        await using var worker = setup.StartWorker(connectionString);
        await WaitForAsync(dataSource, "select to_regclass('worker.import_batches') is not null and exists (select 1 from worker.import_batches where status = 'running')");
        await cluster.RestartAsync(); // every session is cut off mid-job
        await WaitForAsync(dataSource, "select count(*) > 0 from worker.import_batches where status = 'loaded'");
        await using (var recover = setup.Start(connectionString, "run", "fault-recover"))
        {
            Assert.Equal(0, await recover.WaitForExitAsync(Timeout));
        }

        await WaitForAsync(dataSource, "select count(*) = 0 from worker.import_batches where status = 'running'");

        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(Rows, await connection.ExecuteScalarAsync<long>("select count(*) from digital_channels"));
        Assert.Equal([Rows], await connection.QueryAsync<long>("select inserted from worker.import_batches where status = 'loaded'"));
        Assert.True(await connection.ExecuteScalarAsync<bool>("select count(*) > 0 from worker.job_runs where job_id = 'fault-inbox' and status = 'failed'")
            || await connection.ExecuteScalarAsync<bool>("select count(*) > 0 from worker.import_batches where status in ('failed', 'interrupted')"),
            "the run cut off by the restart left no trace");
        Assert.True(File.Exists(Path.Combine(setup.Inbox, "processed", "big.csv")));
        Assert.Contains("Application started", worker.StandardError + worker.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(NpgsqlDataSource dataSource, string condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                if (await connection.ExecuteScalarAsync<bool>(condition))
                {
                    return;
                }
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                // the server is restarting, or the schema is not there yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {Timeout} for: {condition}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A catalogue of an inbox job (every second, retried after a second) and the recovery job, and an inbox holding one big file.</summary>
    private sealed class InboxSetup : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("faults-").FullName;

        public InboxSetup()
        {
            Inbox = Directory.CreateDirectory(Path.Combine(_root, "inbox")).FullName;
            Catalogue = Directory.CreateDirectory(Path.Combine(_root, "jobs")).FullName;
            File.WriteAllText(Path.Combine(Catalogue, "fault-inbox.json"), $$"""
                { "id": "fault-inbox", "type": "import-inbox", "cron": "* * * * * *", "queue": "b_ingest", "retry": { "attempts": 3, "delaysSeconds": [1] },
                  "parameters": { "dataset": "digital_channels", "folder": "{{Inbox}}", "settleSeconds": 0 } }
                """);
            File.WriteAllText(Path.Combine(Catalogue, "fault-recover.json"), """
                { "id": "fault-recover", "type": "recover-interrupted-imports", "cron": "* * * * * *", "queue": "a_alerts" }
                """);
            File.WriteAllText(Path.Combine(Inbox, "big.csv"),
                "Date,Channel,Sessions\n" + string.Concat(Enumerable.Range(0, Rows).Select(i => $"2030-01-01,Channel {i},{i}\n")));
            File.SetLastWriteTimeUtc(Path.Combine(Inbox, "big.csv"), DateTime.UtcNow.AddHours(-1));
        }

        public string Inbox { get; }

        public string Catalogue { get; }

        public WorkerProcess StartWorker(string connectionString) => Start(connectionString, "--urls", $"http://127.0.0.1:{WorkerProcessTests.FreePort()}");

        public WorkerProcess Start(string connectionString, params string[] arguments) => WorkerProcess.Start(connectionString, new Dictionary<string, string>
        {
            ["Hangfire__CatalogueDirectory"] = Catalogue,
            ["Hangfire__SchedulePollingIntervalSeconds"] = "0.2",
            ["Hangfire__QueuePollIntervalSeconds"] = "0.2",
        }, arguments);

        public void Dispose() => Directory.Delete(_root, recursive: true);
    }
}
