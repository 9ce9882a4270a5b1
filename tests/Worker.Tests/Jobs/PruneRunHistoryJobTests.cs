using Dapper;
using Worker.Maintenance;

namespace Worker.Tests.Jobs;

public sealed class PruneRunHistoryJobTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task Finished_runs_older_than_the_retention_are_deleted_and_nothing_else()
    {
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into worker.job_runs (job_id, trigger, started_at, finished_at, status) values
                  ('old', 'schedule', now() - interval '40 days', now() - interval '40 days', 'succeeded'),
                  ('old', 'schedule', now() - interval '31 days', now() - interval '31 days', 'failed'),
                  ('recent', 'schedule', now() - interval '29 days', now() - interval '29 days', 'succeeded'),
                  ('running', 'schedule', now() - interval '40 days', null, 'running');
                """);
        }

        var summary = await new PruneRunHistoryJob(db.DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<PruneRunHistoryJob>.Instance).RunAsync(retentionDays: 30, CancellationToken.None);
        var again = await new PruneRunHistoryJob(db.DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<PruneRunHistoryJob>.Instance).RunAsync(retentionDays: 30, CancellationToken.None);

        Assert.Equal(2, summary.RowsWritten);
        Assert.Equal(0, again.RowsWritten);
        await using var check = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(["recent", "running"], await check.QueryAsync<string>("select job_id from worker.job_runs order by job_id"));
    }
}
