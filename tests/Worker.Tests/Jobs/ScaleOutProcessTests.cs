namespace Worker.Tests.Jobs;

/// <summary>Two real worker processes on one database: every job enqueued runs exactly once, on one of them.</summary>
public sealed class ScaleOutProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_worker_processes_on_one_database_run_each_of_150_jobs_exactly_once_and_both_take_part()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await using var run = await ScaleOutRun.StartAsync(db.ConnectionString, processes: 2, queuePollSeconds: 0.2, Timeout);

        var result = await run.RunJobsAsync(150, Timeout);

        Assert.Equal(150, result.Succeeded);
        Assert.Equal((150, 0, 0, 0), (result.RunRows, result.Duplicates, result.Missing, result.TakenTwice));
        Assert.Equal(0, result.ElsewhereOrUnknown);
        Assert.Equal(150, result.PerProcess.Sum());
        Assert.All(result.PerProcess, taken => Assert.True(taken > 0, $"a process took no job: {string.Join(" / ", result.PerProcess)}"));
    }
}
