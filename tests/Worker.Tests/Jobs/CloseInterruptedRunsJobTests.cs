using Dapper;
using Hangfire;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Jobs;

namespace Worker.Tests.Jobs;

/// <summary>
/// Run-history rows of runs whose worker process died are closed; runs a live server is processing are
/// not. The Hangfire side is written through Hangfire's own storage API into the real schema: a job in
/// Processing on a server that beats, one on a server that stopped beating, one delivered again.
/// </summary>
public sealed class CloseInterruptedRunsJobTests
{
    [Fact]
    public async Task Runs_of_dead_servers_and_superseded_deliveries_are_closed_and_live_runs_kept()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(db.ConnectionString, options), options);
        using var hangfire = storage.GetConnection();
        hangfire.AnnounceServer("live-server:1", new ServerContext { Queues = ["default"], WorkerCount = 1 });
        hangfire.AnnounceServer("dead-server:1", new ServerContext { Queues = ["default"], WorkerCount = 1 });
        var live = Processing(hangfire, "live-server:1");
        var dead = Processing(hangfire, "dead-server:1");
        var gone = Processing(hangfire, "vanished-server:1");
        var redelivered = Processing(hangfire, "live-server:1");

        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("update hangfire.server set lastheartbeat = now() - interval '10 minutes' where id = 'dead-server:1'");
        await connection.ExecuteAsync("""
            insert into worker.job_runs (job_id, hangfire_job_id, trigger, started_at) values
              ('live', @live, 'schedule', now() - interval '20 minutes'),
              ('dead', @dead, 'schedule', now() - interval '20 minutes'),
              ('gone', @gone, 'schedule', now() - interval '20 minutes'),
              ('redelivered', @redelivered, 'schedule', now() - interval '20 minutes'),
              ('redelivered', @redelivered, 'schedule', now() - interval '3 minutes'),
              ('cli', null, 'command', now() - interval '20 minutes'),
              ('just-started', @gone, 'manual', now())
            """, new { live, dead, gone, redelivered });

        var job = new CloseInterruptedRunsJob(db.DataSource, NullLogger<CloseInterruptedRunsJob>.Instance);
        var summary = await job.RunAsync(new CloseInterruptedRunsParameters(), CancellationToken.None);
        var again = await job.RunAsync(new CloseInterruptedRunsParameters(), CancellationToken.None);

        Assert.Equal(3, summary.RowsWritten);
        Assert.Equal(0, again.RowsWritten);
        Assert.Equal(
            ["cli running", "dead failed", "gone failed", "just-started running", "live running", "redelivered failed", "redelivered running"],
            await connection.QueryAsync<string>("select job_id || ' ' || status from worker.job_runs order by job_id, status"));
        Assert.All(await connection.QueryAsync<string>("select error from worker.job_runs where status = 'failed'"),
            e => Assert.Equal(CloseInterruptedRunsJob.Reason, e));
    }

    private static string Processing(Hangfire.Storage.IStorageConnection hangfire, string serverId)
    {
        var id = hangfire.CreateExpiredJob(Job.FromExpression(() => Console.WriteLine("run")), new Dictionary<string, string?>(), DateTime.UtcNow, TimeSpan.FromHours(1));
        using var transaction = hangfire.CreateWriteTransaction();
        transaction.SetJobState(id, new ProcessingOn(serverId));
        transaction.Commit();
        return id;
    }

    /// <summary>The state Hangfire's worker writes when it takes a job (its constructor is internal): name and data as Hangfire stores them.</summary>
    private sealed class ProcessingOn(string serverId) : IState
    {
        public string Name => ProcessingState.StateName;

        public string? Reason => null;

        public bool IsFinal => false;

        public bool IgnoreJobLoadException => false;

        public Dictionary<string, string> SerializeData() => new()
        {
            ["StartedAt"] = JobHelper.SerializeDateTime(DateTime.UtcNow),
            ["ServerId"] = serverId,
            ["WorkerId"] = "worker-1",
        };
    }
}
