using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Worker.Jobs;

namespace Worker.Tests.Jobs;

/// <summary>Readiness notices workers stuck on one job.</summary>
[Collection(HangfireCollection.Name)]
public sealed class StuckJobsTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task Workers_stuck_on_a_job_past_the_threshold_make_readiness_degraded_then_unhealthy_naming_the_job()
    {
        var catalogue = Directory.CreateTempSubdirectory("jobs-").FullName;
        File.WriteAllText(Path.Combine(catalogue, "stuck-read.json"), """{ "id": "stuck-read", "type": "test-block", "cron": "0 0 1 1 *", "queue": "b_ingest" }""");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        BlockingJob.Release = release.Task;
        try
        {
            await using var host = await WorkerHost.StartAsync(db.ConnectionString, catalogue,
                services => services.AddJobType<BlockingJob, BlockingJob.NoParameters>("test-block", (job, _, ct) => job.RunAsync(ct)),
                new Dictionary<string, string?> { ["Hangfire:WorkerCount"] = "2", ["Hangfire:StuckJobMinutes"] = "0.02" });
            var health = host.Services.GetRequiredService<HealthCheckService>();
            var job = host.Catalogue.Get("stuck-read");

            Assert.Equal(HealthStatus.Healthy, (await CheckAsync(health)).Status);
            var first = JobRunner.Enqueue(host.Client, job, "manual");
            var degraded = await WaitForAsync(health, HealthStatus.Degraded);
            JobRunner.Enqueue(host.Client, job, "manual");
            var unhealthy = await WaitForAsync(health, HealthStatus.Unhealthy);
            release.SetResult();

            Assert.Contains($"1 of 2 worker(s) busy longer than", degraded.Description, StringComparison.Ordinal);
            Assert.Contains($"stuck-read (Hangfire job {first}, since ", degraded.Description, StringComparison.Ordinal);
            Assert.StartsWith("2 of 2 worker(s)", unhealthy.Description, StringComparison.Ordinal);
            Assert.Equal(HealthStatus.Healthy, (await WaitForAsync(health, HealthStatus.Healthy)).Status);
        }
        finally
        {
            release.TrySetResult();
            Directory.Delete(catalogue, recursive: true);
        }
    }

    private static async Task<HealthReportEntry> CheckAsync(HealthCheckService health) =>
        (await health.CheckHealthAsync(c => c.Name == "hangfire-workers")).Entries["hangfire-workers"];

    private static async Task<HealthReportEntry> WaitForAsync(HealthCheckService health, HealthStatus status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var entry = await CheckAsync(health);
            if (entry.Status == status || DateTime.UtcNow > deadline)
            {
                Assert.True(entry.Status == status, $"Waited 30 s for {status}; last: {entry.Status} {entry.Description}");
                return entry;
            }

            await Task.Delay(100);
        }
    }

    internal sealed class BlockingJob
    {
        public static Task Release { get; set; } = Task.CompletedTask;

        public async Task<JobSummary> RunAsync(CancellationToken cancellationToken)
        {
            await Release.WaitAsync(cancellationToken);
            return new JobSummary(0, 0, new Dictionary<string, object?>());
        }

        internal sealed record NoParameters;
    }
}
