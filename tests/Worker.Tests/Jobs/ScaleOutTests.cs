using Dapper;
using Worker.Jobs;

namespace Worker.Tests.Jobs;

/// <summary>Several workers share one database; every enqueued job runs once, on one of them.</summary>
[Collection(HangfireCollection.Name)]
public sealed class ScaleOutTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task Two_servers_on_one_database_run_each_of_200_jobs_exactly_once()
    {
        var catalogue = Directory.CreateTempSubdirectory("jobs-").FullName;
        File.WriteAllText(Path.Combine(catalogue, "scale-ok.json"), """{ "id": "scale-ok", "type": "test-ok", "cron": "0 0 1 1 *", "queue": "b_ingest" }""");
        var signal = FinalStateSignal.Install();
        try
        {
            await using var first = await WorkerHost.StartAsync(db.ConnectionString, catalogue, TestJobs.Register);
            await using var second = await WorkerHost.StartAsync(db.ConnectionString, catalogue, TestJobs.Register);
            var job = first.Catalogue.Get("scale-ok");

            var ids = Enumerable.Range(0, 200).Select(i => JobRunner.Enqueue(i % 2 == 0 ? first.Client : second.Client, job, "manual")).ToList();
            var states = await Task.WhenAll(ids.Select(id => signal.WaitAsync(id, TimeSpan.FromSeconds(60))));

            Assert.All(states, s => Assert.Equal("Succeeded", s));
            await using var connection = await db.DataSource.OpenConnectionAsync();
            var runs = (await connection.QueryAsync<(string HangfireJobId, string Status)>(
                "select hangfire_job_id, status from worker.job_runs where job_id = 'scale-ok'")).ToList();
            Assert.Equal(200, runs.Count);
            Assert.Equal(ids.Order(StringComparer.Ordinal), runs.Select(r => r.HangfireJobId).Order(StringComparer.Ordinal));
            var servers = await connection.QueryAsync<string>("""
                select distinct s.data ->> 'ServerId' from hangfire.state s join hangfire.job j on j.id = s.jobid
                where s.name = 'Processing' and j.id = any(@ids)
                """, new { ids = ids.Select(long.Parse).ToArray() });
            Assert.Equal(2, servers.Count()); // both workers took part
        }
        finally
        {
            signal.Uninstall();
            Directory.Delete(catalogue, recursive: true);
        }
    }
}
