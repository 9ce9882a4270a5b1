using System.Text.RegularExpressions;
using Dapper;
using Worker.Tests.Hosting;

namespace Worker.Tests.Kpi;

/// <summary>
/// The issue's "uploading a CSV refreshes the views and the next snapshot reflects it", through real
/// processes: a running host, an import on the command line (the import job, the debounced refresh
/// trigger), the host's refresh-kpi-views and its kpi-snapshot (read back from kpi.snapshots), then `Worker run kpi-snapshot`'s table.
/// </summary>
public sealed class KpiUploadEndToEndTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static int SnapshotRuns(WorkerProcess worker) => Regex.Count(worker.StandardOutput + worker.StandardError, @"Job kpi-snapshot run \d+ succeeded");

    [Fact]
    public async Task An_imported_file_is_refreshed_into_the_views_and_the_next_snapshot_shows_it()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Seeded);
        var environment = new Dictionary<string, string>
        {
            ["Hangfire__QueuePollIntervalSeconds"] = "0.2",
            ["Hangfire__SchedulePollingIntervalSeconds"] = "1",
            ["Kpi__RefreshDebounceSeconds"] = "1",
        };
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var host = WorkerProcess.Start(db.ConnectionString, environment, "--urls", $"http://127.0.0.1:{port}");
        await host.WaitForOutputAsync(new Regex(@"Job kpi-snapshot run \d+ succeeded"), Timeout);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        // The KPI period holding yesterday (the last complete day): closed or to date, whichever covers it.
        const string LeadsCovering = """
            select s.value from kpi.snapshots s join kpi_metrics k on k.id = s.kpi_id
            where k.calculation = 'marketing_leads' and @day between s.period_start and s.period_end
            order by s.period_kind = 'to_date' desc limit 1
            """;
        var yesterday = (await connection.ExecuteScalarAsync<DateOnly>("select current_date - 1"));
        var before = await connection.ExecuteScalarAsync<decimal?>(LeadsCovering, new { day = yesterday }) ?? 0m;

        var file = Path.Combine(Directory.CreateTempSubdirectory("kpi-e2e").FullName, "leads.csv");
        await File.WriteAllTextAsync(file, $"Date,Channel,Sessions,Leads\n{yesterday:yyyy-MM-dd},End-to-end test,100,37\n");
        await using var import = WorkerProcess.Start(db.ConnectionString, environment, "import", "digital_channels", file);
        Assert.Equal(0, await import.WaitForExitAsync(Timeout));

        // The signal: the snapshot row of yesterday's period moved (written by a kpi-snapshot run after the
        // refresh the import scheduled); checked each time the host finishes a run, within the timeout.
        var deadline = DateTime.UtcNow + Timeout;
        decimal? after;
        while ((after = await connection.ExecuteScalarAsync<decimal?>(LeadsCovering, new { day = yesterday })) != before + 37m && DateTime.UtcNow < deadline)
        {
            var runs = SnapshotRuns(host);
            while (SnapshotRuns(host) == runs && DateTime.UtcNow < deadline)
            {
                await Task.WhenAny(host.WaitForExitAsync(TimeSpan.FromMilliseconds(100)));
            }
        }

        var triggers = await connection.ExecuteScalarAsync<string>("select string_agg(job_id || '/' || trigger, ',' order by id) from worker.job_runs");
        await using var table = WorkerProcess.Start(db.ConnectionString, arguments: ["run", "kpi-snapshot"]);
        Assert.Equal(0, await table.WaitForExitAsync(Timeout));

        Assert.Equal(before + 37m, after);
        Assert.Contains("kpi-snapshot/after-job", triggers!, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^.*marketing.*Leads.*$", table.StandardOutput);
    }
}
