using Hangfire;
using Hangfire.InMemory;
using Hangfire.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Jobs;
using Worker.Maintenance;

namespace Worker.Tests.Jobs;

[Collection(HangfireCollection.Name)]
public sealed class CatalogueSchedulerTests
{
    private static JobCatalogue CatalogueWith(params (string Id, bool Enabled)[] jobs)
    {
        var directory = Directory.CreateTempSubdirectory("jobs-").FullName;
        foreach (var (id, enabled) in jobs)
        {
            File.WriteAllText(Path.Combine(directory, id + ".json"),
                $$"""{ "id": "{{id}}", "type": "prune-run-history", "cron": "0 4 * * *", "timeZone": "Europe/Paris", "enabled": {{(enabled ? "true" : "false")}} }""");
        }

        var types = new[] { new JobType(PruneRunHistoryJob.TypeName, typeof(PruneRunHistoryParameters), (_, _, _) => throw new NotSupportedException()) };
        var catalogue = JobCatalogue.Load(directory, types);
        Directory.Delete(directory, recursive: true);
        return catalogue;
    }

    private static List<RecurringJobDto> Register(JobStorage storage, JobCatalogue catalogue)
    {
        new CatalogueScheduler(catalogue, new RecurringJobManager(storage), storage, NullLogger<CatalogueScheduler>.Instance).Synchronise();
        using var connection = storage.GetConnection();
        return connection.GetRecurringJobs();
    }

    [Fact]
    public void Registering_twice_leaves_one_recurring_job_per_catalogue_entry()
    {
        using var storage = new InMemoryStorage();
        var catalogue = CatalogueWith(("alpha", true), ("beta", true));

        Register(storage, catalogue);
        var jobs = Register(storage, catalogue);

        Assert.Equal(["alpha", "beta"], jobs.Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.All(jobs, j => Assert.Equal(("0 4 * * *", "Europe/Paris", "d_maintenance"), (j.Cron, j.TimeZoneId, j.Job.Queue)));
    }

    [Fact]
    public void A_job_whose_file_is_gone_is_removed_and_a_disabled_one_is_never_scheduled()
    {
        using var storage = new InMemoryStorage();
        Register(storage, CatalogueWith(("alpha", true), ("beta", true)));

        var jobs = Register(storage, CatalogueWith(("alpha", false)));

        var alpha = Assert.Single(jobs);
        Assert.Equal("alpha", alpha.Id);
        Assert.Equal(Cron.Never(), alpha.Cron);
        Assert.Null(alpha.NextExecution);
    }
}
