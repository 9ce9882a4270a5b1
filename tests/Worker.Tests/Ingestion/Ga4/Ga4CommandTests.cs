using Dapper;
using Worker.Tests.Hosting;

namespace Worker.Tests.Ingestion.Ga4;

/// <summary><c>Worker run ga4-…</c> in the real executable against the fake: the rows land, and no token or key reaches the logs.</summary>
public sealed class Ga4CommandTests
{
    [Fact]
    public async Task Worker_run_syncs_the_property_of_a_catalogue_file_and_logs_no_secret()
    {
        await using var fake = await FakeGa4Server.StartAsync();
        fake.AddProperty("31337", "Pacific/Kiritimati"); // UTC+14
        var directory = Directory.CreateTempSubdirectory("ga4-run-").FullName;
        try
        {
            var key = fake.WriteServiceAccountKey(directory);
            var jobs = Directory.CreateDirectory(Path.Combine(directory, "jobs")).FullName;
            var yesterday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Pacific/Kiritimati")).DateTime).AddDays(-1);
            await File.WriteAllTextAsync(Path.Combine(jobs, "ga4-website-analytics.json"), $$"""
                { "id": "ga4-website-analytics", "type": "ga4-sync", "cron": "15 */6 * * *", "queue": "b_ingest", "enabled": false,
                  "parameters": { "propertyId": "31337", "report": "website", "startDate": "{{yesterday.AddDays(-4):yyyy-MM-dd}}" } }
                """);
            await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

            await using var worker = WorkerProcess.Start(db.ConnectionString, new Dictionary<string, string>
            {
                ["Hangfire__CatalogueDirectory"] = jobs,
                ["Ga4__BaseUrl"] = fake.BaseUrl.ToString(),
                ["Ga4__CredentialsFile"] = key,
                ["Serilog__MinimumLevel__Default"] = "Debug",
            }, "run", "ga4-website-analytics");

            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            await using var connection = await db.DataSource.OpenConnectionAsync();
            Assert.Equal(5L, await connection.ExecuteScalarAsync<long>("select count(*) from website_analytics where source = 'ga4:31337'"));
            Assert.Equal(yesterday, await connection.ExecuteScalarAsync<DateOnly>("select max(date) from website_analytics"));
            Assert.Contains("\"rowsWritten\":5", worker.StandardOutput, StringComparison.Ordinal);
            var logs = worker.StandardOutput + worker.StandardError;
            Assert.Contains("GA4 website of property 31337", logs, StringComparison.Ordinal);
            Assert.DoesNotContain("ya29.", logs, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", logs, StringComparison.Ordinal);
            Assert.DoesNotContain("Bearer", logs, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
