using System.Net;

namespace Worker.Tests.Hosting;

public sealed class WorkerProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Migrate_prints_what_it_applied_and_a_second_run_applies_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);

        await using var first = WorkerProcess.Start(db.ConnectionString, arguments: ["migrate", "--seed"]);
        Assert.Equal(0, await first.WaitForExitAsync(Timeout));
        await using var second = WorkerProcess.Start(db.ConnectionString, arguments: ["migrate"]);
        Assert.Equal(0, await second.WaitForExitAsync(Timeout));

        Assert.Contains("applied migration 0001_core_extensions.sql", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("applied migration 0502_kpi_views.sql", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("applied seed 01_users.sql", first.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("Database is up to date: nothing to apply.", second.StandardOutput.Trim());
    }

    [Fact]
    public async Task The_host_migrates_reports_ready_and_stops_cleanly_when_told_to()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);
        var url = $"http://127.0.0.1:{FreePort()}";

        await using var worker = WorkerProcess.Start(db.ConnectionString, arguments: ["--urls", url]);
        await worker.WaitForOutputAsync("Application started", Timeout);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        worker.SendTerminate();
        var exitCode = await worker.WaitForExitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("migrations current", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(0, exitCode);
        Assert.Contains("Application is shutting down", worker.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", worker.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_host_started_on_data_without_KPI_snapshots_refreshes_and_snapshots_at_once()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Seeded);

        await using var worker = WorkerProcess.Start(db.ConnectionString, new Dictionary<string, string> { ["Hangfire__QueuePollIntervalSeconds"] = "0.2" },
            "--urls", $"http://127.0.0.1:{FreePort()}");
        await worker.WaitForOutputAsync(new System.Text.RegularExpressions.Regex(@"Job kpi-snapshot run \d+ succeeded"), Timeout);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var snapshots = (long)(await new Npgsql.NpgsqlCommand("select count(*) from kpi.snapshots", connection).ExecuteScalarAsync())!;
        var triggers = await new Npgsql.NpgsqlCommand("select string_agg(job_id || '/' || trigger, ',' order by id) from worker.job_runs", connection).ExecuteScalarAsync();
        Assert.True(snapshots > 0, "no KPI snapshot after start");
        Assert.Contains("refresh-kpi-views/schedule", (string)triggers!, StringComparison.Ordinal);
        Assert.Contains("kpi-snapshot/after-job", (string)triggers!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_prints_usage_and_exits_2()
    {
        await using var worker = WorkerProcess.Start("Host=unused", arguments: ["frobnicate"]);

        Assert.Equal(2, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("Unknown command 'frobnicate'", worker.StandardError, StringComparison.Ordinal);
        Assert.Contains("Usage: Worker", worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_migration_exits_1_naming_the_file()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            // Pretend 0502 was applied from a different file: the worker must refuse to go on.
            await using var command = new Npgsql.NpgsqlCommand("update worker.script_history set sha256 = 'x' || sha256 where name = '0502_kpi_views.sql'", connection);
            await command.ExecuteNonQueryAsync();
        }

        await using var worker = WorkerProcess.Start(db.ConnectionString, arguments: ["migrate"]);

        Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("supabase/migrations/0502_kpi_views.sql was changed after it was applied", worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_lists_the_catalogue_with_schedules_and_next_run_times_in_each_jobs_zone()
    {
        await using var worker = WorkerProcess.Start("Host=127.0.0.1;Database=unused", arguments: ["jobs"]);

        Assert.Equal(0, await worker.WaitForExitAsync(Timeout));
        var lines = worker.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id ", lines[0], StringComparison.Ordinal);
        var prune = Assert.Single(lines, l => l.StartsWith("prune-run-history ", StringComparison.Ordinal));
        Assert.Matches(@"30 3 \* \* \*\s+Europe/London\s+d_maintenance\s+yes\s+\d{4}-\d{2}-\d{2} 03:30 [+-]\d{2}:\d{2}", prune);
    }

    [Fact]
    public async Task Run_runs_a_catalogue_job_in_process_prints_its_summary_and_records_the_run()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        await using var worker = WorkerProcess.Start(db.ConnectionString, arguments: ["run", "prune-run-history"]);

        Assert.Equal(0, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("\"deletedRuns\":0", worker.StandardOutput, StringComparison.Ordinal);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("select status || '/' || trigger from worker.job_runs where job_id = 'prune-run-history'", connection);
        Assert.Equal("succeeded/command", await command.ExecuteScalarAsync());
        var jobLine = Assert.Single(worker.StandardError.Split('\n'), l => l.Contains("Deleted 0 finished run(s)", StringComparison.Ordinal));
        Assert.Contains("\"JobId\":\"prune-run-history\"", jobLine, StringComparison.Ordinal);
        Assert.Contains("\"RunId\":", jobLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS")]
    [InlineData("ASPNETCORE_HTTP_PORTS")]
    public async Task The_conventional_variables_choose_where_the_host_listens(string variable)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var port = FreePort();
        var value = variable == "ASPNETCORE_URLS" ? $"http://127.0.0.1:{port}" : port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var worker = WorkerProcess.Start(db.ConnectionString, new Dictionary<string, string> { [variable] = value, ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        await worker.WaitForOutputAsync("Application started", Timeout);
        using var http = new HttpClient();
        var live = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"));
        worker.SendTerminate();
        await worker.WaitForExitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains($":{port}", worker.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(":5080", worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_lines_name_their_source_and_do_not_end_in_empty_braces()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        await using var worker = WorkerProcess.Start(db.ConnectionString, arguments: ["run", "prune-run-history"]);

        Assert.Equal(0, await worker.WaitForExitAsync(Timeout));
        var lines = worker.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('[')).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.DoesNotContain("] : ", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.False(l.EndsWith("{}", StringComparison.Ordinal), l));
    }

    [Fact]
    public async Task Run_with_an_unknown_job_exits_1_naming_the_known_ones()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        await using var worker = WorkerProcess.Start(db.ConnectionString, arguments: ["run", "no-such-job"]);

        Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("No job 'no-such-job' in the catalogue. Known: ", worker.StandardError, StringComparison.Ordinal);
        Assert.Contains(" inbox-content-pieces, inbox-digital-channels, ", worker.StandardError, StringComparison.Ordinal);
        Assert.Contains(" prune-run-history", worker.StandardError, StringComparison.Ordinal);
        Assert.Contains(" refresh-kpi-views", worker.StandardError, StringComparison.Ordinal);
        Assert.Single(worker.StandardError.Split('\n'), l => l.Contains("No job 'no-such-job'", StringComparison.Ordinal)); // said once
    }

    [Fact]
    public async Task A_bad_setting_stops_the_worker_at_start_naming_the_key()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        await using var worker = WorkerProcess.Start(db.ConnectionString, new Dictionary<string, string> { ["Hangfire__WorkerCount"] = "0" },
            "--urls", $"http://127.0.0.1:{FreePort()}");

        Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
        Assert.Contains("WorkerCount", worker.StandardError, StringComparison.Ordinal);
        Assert.Contains("must be between 1 and 100", worker.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_catalogue_file_stops_the_worker_at_start_naming_file_and_field()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var catalogue = Directory.CreateTempSubdirectory("jobs-").FullName;
        File.WriteAllText(Path.Combine(catalogue, "nightly.json"), """{ "id": "nightly", "type": "prune-run-history", "cron": "0 2 * * *", "timeZone": "Europe/Lodnon" }""");
        try
        {
            await using var worker = WorkerProcess.Start(db.ConnectionString, new Dictionary<string, string> { ["Hangfire__CatalogueDirectory"] = catalogue },
                "--urls", $"http://127.0.0.1:{FreePort()}");

            Assert.Equal(1, await worker.WaitForExitAsync(Timeout));
            Assert.Contains("jobs/nightly.json: field 'timeZone': unknown time zone 'Europe/Lodnon'", worker.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(catalogue, recursive: true);
        }
    }

    [Fact]
    public async Task Import_loads_a_file_and_prints_counts_and_a_bad_file_exits_1_with_line_numbered_errors()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var folder = Directory.CreateTempSubdirectory("cli-").FullName;
        var good = Path.Combine(folder, "channels.csv");
        var bad = Path.Combine(folder, "broken.csv");
        File.WriteAllText(good, "Date,Channel,Sessions\n2030-01-01,Email,10\n2030-01-02,Email,12\nTotal,,22\n");
        File.WriteAllText(bad, "Date,Channel,Sessions\n2030-01-03,Email,ten\n2030-01-04,,3\n");
        try
        {
            await using var dryRun = WorkerProcess.Start(db.ConnectionString, arguments: ["import", "digital_channels", good, "--dry-run"]);
            Assert.Equal(0, await dryRun.WaitForExitAsync(Timeout));
            await using var load = WorkerProcess.Start(db.ConnectionString, arguments: ["import", "digital_channels", good]);
            Assert.Equal(0, await load.WaitForExitAsync(Timeout));
            await using var refused = WorkerProcess.Start(db.ConnectionString, arguments: ["import", "digital_channels", bad]);
            Assert.Equal(1, await refused.WaitForExitAsync(Timeout));

            Assert.Contains("channels.csv → digital_channels: loaded (dry run). 2 rows read, 2 inserted", dryRun.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("channels.csv → digital_channels: loaded. 2 rows read, 2 inserted, 0 updated, 0 unchanged, 0 rejected, 1 totals rows skipped.", load.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("broken.csv:2: column 'Sessions' value 'ten' is not a number", refused.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("broken.csv:3: column 'Channel' value '' a value is required", refused.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("refused, nothing changed", refused.StandardOutput, StringComparison.Ordinal);
            await using var connection = await db.DataSource.OpenConnectionAsync();
            await using var count = new Npgsql.NpgsqlCommand("select count(*) from digital_channels", connection);
            Assert.Equal(2L, await count.ExecuteScalarAsync());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static int FreePort() => WorkerProcess.FreePort();
}
