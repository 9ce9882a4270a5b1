using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Maintenance;

namespace Worker.Tests.Jobs;

public sealed class PruneGa4HistoryJobTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task Old_GA4_runs_and_revisions_go_while_recent_ones_the_newest_run_per_report_and_the_sync_state_stay()
    {
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                delete from worker.ga4_revisions; delete from worker.ga4_sync_runs; delete from worker.ga4_sync_state;
                insert into worker.ga4_sync_state (property_id, report, synced_through, time_zone) values ('1', 'channels', '2026-01-01', 'UTC');
                insert into worker.ga4_sync_runs (property_id, report, started_at, finished_at, status, note) values
                  ('1', 'channels', now() - interval '50 days', now() - interval '50 days', 'succeeded', 'old'),
                  ('1', 'channels', now() - interval '40 days', now() - interval '40 days', 'failed', 'old'),
                  ('1', 'channels', now() - interval '10 days', now() - interval '10 days', 'succeeded', 'recent'),
                  ('1', 'website', now() - interval '60 days', now() - interval '60 days', 'succeeded', 'old'),
                  ('1', 'website', now() - interval '45 days', now() - interval '45 days', 'stopped', 'newest of its report'),
                  ('1', 'website', now() - interval '45 days', null, 'running', 'running');
                insert into worker.ga4_revisions (sync_run_id, property_id, table_name, day, metric, old_value, new_value, revised_at)
                select r.id, '1', 'digital_channels', '2026-01-01', r.note, 1, 2, r.started_at from worker.ga4_sync_runs r;
                """);
        }

        var job = new PruneGa4HistoryJob(db.DataSource, NullLogger<PruneGa4HistoryJob>.Instance);
        var summary = await job.RunAsync(retentionDays: 30, CancellationToken.None);
        var again = await job.RunAsync(retentionDays: 30, CancellationToken.None);

        Assert.Equal(3L, summary.Details["deletedRuns"]);
        Assert.Equal(3L, summary.Details["deletedRevisions"]);
        Assert.Equal(0, again.RowsWritten);
        await using var check = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(["recent", "newest of its report", "running"],
            await check.QueryAsync<string>("select note from worker.ga4_sync_runs order by report, started_at desc, finished_at nulls last"));
        Assert.Equal(["newest of its report", "recent", "running"], await check.QueryAsync<string>("select metric from worker.ga4_revisions order by metric"));
        Assert.Equal(new DateOnly(2026, 1, 1), await check.ExecuteScalarAsync<DateOnly>("select synced_through from worker.ga4_sync_state"));
    }
}
