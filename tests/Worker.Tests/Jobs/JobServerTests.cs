using Dapper;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Worker.Jobs;

namespace Worker.Tests.Jobs;

/// <summary>A real Hangfire server on PostgreSQL running catalogue jobs through the worker's own wiring.</summary>
[Collection(HangfireCollection.Name)]
public sealed class JobServerTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _catalogue = Directory.CreateTempSubdirectory("jobs-").FullName;
    private FinalStateSignal _signal = null!;
    private WorkerHost _host = null!;

    public async Task InitializeAsync()
    {
        WriteJob("srv-ok", "test-ok", """{ "attempts": 2, "delaysSeconds": [1] }""");
        WriteJob("srv-flaky", "test-fail", """{ "attempts": 1, "delaysSeconds": [1] }""");
        WriteJob("srv-bad-input", "test-bad-input", """{ "attempts": 3, "delaysSeconds": [1] }""");
        _signal = FinalStateSignal.Install();
        _host = await WorkerHost.StartAsync(db.ConnectionString, _catalogue, TestJobs.Register);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _signal.Uninstall();
        Directory.Delete(_catalogue, recursive: true);
    }

    [Fact]
    public async Task A_triggered_job_runs_on_the_server_and_its_run_is_recorded_with_its_summary()
    {
        var jobId = JobRunner.Enqueue(_host.Client, _host.Catalogue.Get("srv-ok"), "manual");

        Assert.Equal("Succeeded", await _signal.WaitAsync(jobId, Timeout));

        var run = (await _host.Services.GetRequiredService<RunHistory>().RecentAsync("srv-ok", 10)).Single(r => r.HangfireJobId == jobId);
        Assert.Equal(("succeeded", "manual", 3L, 2L), (run.Status, run.Trigger, run.RowsRead, run.RowsWritten));
        Assert.Contains("\"greeting\": \"hello\"", run.Summary, StringComparison.Ordinal);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public async Task A_failing_job_is_retried_as_its_catalogue_file_says_then_fails_for_good()
    {
        var jobId = JobRunner.Enqueue(_host.Client, _host.Catalogue.Get("srv-flaky"), "manual");

        Assert.Equal("Failed", await _signal.WaitAsync(jobId, Timeout));

        var runs = (await _host.Services.GetRequiredService<RunHistory>().RecentAsync("srv-flaky", 10)).Where(r => r.HangfireJobId == jobId).ToList();
        Assert.Equal(2, runs.Count); // the first attempt and one retry
        Assert.All(runs, r => Assert.Equal(("failed", "always fails"), (r.Status, r.Error)));
    }

    [Fact]
    public async Task Bad_input_is_not_retried()
    {
        var jobId = JobRunner.Enqueue(_host.Client, _host.Catalogue.Get("srv-bad-input"), "manual");

        Assert.Equal("Failed", await _signal.WaitAsync(jobId, Timeout));

        var runs = (await _host.Services.GetRequiredService<RunHistory>().RecentAsync("srv-bad-input", 10)).Where(r => r.HangfireJobId == jobId).ToList();
        Assert.Single(runs);
    }

    [Fact]
    public async Task The_recurring_jobs_of_the_catalogue_are_registered_in_PostgreSQL()
    {
        using var connection = _host.Services.GetRequiredService<JobStorage>().GetConnection();

        var ids = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Select(j => j.Id).Order(StringComparer.Ordinal);

        Assert.Equal(["srv-bad-input", "srv-flaky", "srv-ok"], ids);
        await using var pg = await db.DataSource.OpenConnectionAsync();
        Assert.True(await pg.ExecuteScalarAsync<bool>("select count(*) > 0 from hangfire.set where key = 'recurring-jobs'"));
    }

    private void WriteJob(string id, string type, string retry) =>
        File.WriteAllText(Path.Combine(_catalogue, id + ".json"),
            $$"""{ "id": "{{id}}", "type": "{{type}}", "cron": "0 0 1 1 *", "queue": "b_ingest", "retry": {{retry}} }""");
}

/// <summary>Job types that exist only in the tests.</summary>
internal static class TestJobs
{
    public static void Register(IServiceCollection services)
    {
        services.AddJobType<OkJob, NoParameters>("test-ok", (job, _, ct) => job.RunAsync(ct));
        services.AddJobType<FailingJob, NoParameters>("test-fail", (job, _, ct) => job.RunAsync(ct));
        services.AddJobType<BadInputJob, NoParameters>("test-bad-input", (job, _, ct) => job.RunAsync(ct));
    }

    internal sealed record NoParameters;

    internal sealed class OkJob
    {
        public Task<JobSummary> RunAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new JobSummary(3, 2, new Dictionary<string, object?> { ["greeting"] = "hello" }));
    }

    internal sealed class FailingJob
    {
        public Task<JobSummary> RunAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("always fails");
    }

    internal sealed class BadInputJob
    {
        public Task<JobSummary> RunAsync(CancellationToken cancellationToken) => throw new JobInputException("the file is bad");
    }
}
