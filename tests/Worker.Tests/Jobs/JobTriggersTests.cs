using Worker.Jobs;

namespace Worker.Tests.Jobs;

public sealed class JobTriggersTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task The_run_history_accepts_every_trigger_the_worker_starts_runs_with_and_nothing_else()
    {
        var history = new RunHistory(db.DataSource);

        foreach (var trigger in JobTriggers.All)
        {
            Assert.True(await history.StartAsync("trigger-" + trigger, null, trigger, CancellationToken.None) > 0);
        }

        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => history.StartAsync("trigger-x", null, "after ingestion", CancellationToken.None));
        Assert.Equal(Npgsql.PostgresErrorCodes.CheckViolation, refused.SqlState);
    }
}
