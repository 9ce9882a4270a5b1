using Worker.Tests.Hosting;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>The import command's options, run as the real executable.</summary>
public sealed class ImportCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Set_and_sum_duplicates_load_a_single_channel_export_and_a_bad_date_format_exits_2_with_an_example()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var folder = Directory.CreateTempSubdirectory("cli-").FullName;
        var file = Path.Combine(folder, "linkedin.csv");
        File.WriteAllText(file, "Start Date (in UTC),Campaign Name,Total Spent,Leads\n9/1/2025,A,10.00,1\n9/1/2025,B,5.50,2\n9/13/2025,A,7.00,\n");
        try
        {
            await using var dryRun = WorkerProcess.Start(db.ConnectionString, arguments: ["import", "digital_channels", file, "--set", "channel_name=LinkedIn", "--sum-duplicates", "--dry-run"]);
            Assert.Equal(0, await dryRun.WaitForExitAsync(Timeout));
            await using var load = WorkerProcess.Start(db.ConnectionString, arguments: ["import", "digital_channels", file, "--set=channel_name=LinkedIn", "--sum-duplicates"]);
            Assert.Equal(0, await load.WaitForExitAsync(Timeout));
            await using var badFormat = WorkerProcess.Start(db.ConnectionString, arguments: ["import", "digital_channels", file, "--date-format=m/d/yyyy"]);
            Assert.Equal(2, await badFormat.WaitForExitAsync(Timeout));

            Assert.Contains("Worked out what would change in digital_channels", dryRun.StandardOutput, StringComparison.Ordinal);
            Assert.DoesNotContain("Wrote to", dryRun.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("linkedin.csv → digital_channels: loaded. 3 rows read, 2 inserted, 0 updated, 0 unchanged, 0 rejected, 0 totals rows skipped, 1 rows combined with another of the same key.",
                load.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("The date format 'm/d/yyyy' has 'm', which is not a day, month or year part", badFormat.StandardOutput, StringComparison.Ordinal);
            await using var connection = await db.DataSource.OpenConnectionAsync();
            await using var rows = new Npgsql.NpgsqlCommand("select string_agg(report_date || ' ' || channel_name || ' ' || cost || ' ' || leads, '; ' order by report_date) from digital_channels", connection);
            Assert.Equal("2025-09-01 LinkedIn 15.50 3; 2025-09-13 LinkedIn 7.00 0", await rows.ExecuteScalarAsync());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
