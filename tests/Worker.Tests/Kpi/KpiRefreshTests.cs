using System.Diagnostics;
using Dapper;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Worker.Jobs;
using Worker.Kpi;

namespace Worker.Tests.Kpi;

public sealed class KpiRefreshTests
{
    [Fact]
    public async Task Every_view_is_refreshed_after_the_views_it_reads_and_its_duration_and_as_of_time_are_recorded()
    {
        await using var db = await KpiData.CreateAsync();

        var refreshed = await new RefreshKpiViewsJob(db.DataSource, KpiData.Options(), null!, null!, NullLogger<RefreshKpiViewsJob>.Instance)
            .RefreshAsync(10, CancellationToken.None);

        var names = refreshed.Select(r => r.View).ToList();
        Assert.Equal(7, names.Count);
        Assert.True(names.IndexOf("marketing_daily") > names.IndexOf("marketing_channel_daily"));
        Assert.All(refreshed, r => Assert.Equal("concurrently", r.Mode));
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(7, await connection.ExecuteScalarAsync<int>("select count(*) from kpi.view_refreshes where as_of <= refreshed_at and duration_ms >= 0"));
    }

    [Fact]
    public async Task A_reader_is_not_blocked_while_a_view_refreshes_concurrently_but_is_by_a_plain_refresh()
    {
        await using var db = await KpiData.CreateAsync();
        await using var refresher = await db.DataSource.OpenConnectionAsync();
        await using var reader = await db.DataSource.OpenConnectionAsync();
        await reader.ExecuteAsync("set lock_timeout = '2s'");

        // A concurrent refresh holds its lock until its transaction ends: read while it is held.
        await using (var refresh = await refresher.BeginTransactionAsync())
        {
            await refresher.ExecuteAsync("refresh materialized view concurrently kpi.marketing_channel_daily", transaction: refresh);
            var stopwatch = Stopwatch.StartNew();
            var rows = await reader.ExecuteScalarAsync<long>("select count(*) from kpi.marketing_channel_daily");
            stopwatch.Stop();
            Assert.Equal(4, rows);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"the reader waited {stopwatch.Elapsed.TotalMilliseconds} ms");
            await refresh.RollbackAsync();
        }

        // A plain refresh takes an exclusive lock: the same read waits for it and times out.
        await reader.ExecuteAsync("set lock_timeout = '200ms'");
        await using (var refresh = await refresher.BeginTransactionAsync())
        {
            await refresher.ExecuteAsync("refresh materialized view kpi.marketing_channel_daily", transaction: refresh);
            var blocked = await Assert.ThrowsAsync<PostgresException>(() => reader.ExecuteScalarAsync<long>("select count(*) from kpi.marketing_channel_daily"));
            Assert.Equal(PostgresErrorCodes.LockNotAvailable, blocked.SqlState);
            await refresh.RollbackAsync();
        }
    }

    [Fact]
    public async Task Two_workers_never_refresh_at_once_the_second_waits_for_the_lock()
    {
        await using var db = await KpiData.CreateAsync();
        await using var other = await db.DataSource.OpenConnectionAsync();
        await other.ExecuteAsync("select pg_advisory_lock(hashtext(@name))", new { name = RefreshKpiViewsJob.LockName });
        var job = new RefreshKpiViewsJob(db.DataSource, KpiData.Options(), null!, null!, NullLogger<RefreshKpiViewsJob>.Instance);

        var timedOut = await Assert.ThrowsAsync<InvalidOperationException>(() => job.RefreshAsync(1, CancellationToken.None));
        Assert.Contains("Another worker", timedOut.Message, StringComparison.Ordinal);

        var waiting = job.RefreshAsync(60, CancellationToken.None);
        await other.ExecuteAsync("select pg_advisory_unlock(hashtext(@name))", new { name = RefreshKpiViewsJob.LockName });
        Assert.Equal(7, (await waiting).Count);
    }

    [Fact]
    public async Task Ten_requests_in_a_burst_schedule_one_refresh_and_a_request_after_it_started_schedules_the_next()
    {
        await using var db = await KpiData.CreateAsync(withData: false);
        using var storage = new InMemoryStorage();
        var trigger = Trigger(db, storage);

        await Task.WhenAll(Enumerable.Range(1, 10).Select(i => trigger.RequestRefreshAsync($"upload {i}", CancellationToken.None)));

        Assert.Equal(1, storage.GetMonitoringApi().ScheduledCount());
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(10, await connection.ExecuteScalarAsync<int>("select requests from kpi.refresh_requests"));

        // The refresh clears the mark when it starts; the next upload schedules the next refresh.
        await KpiData.RefreshAsync(db.DataSource);
        await trigger.RequestRefreshAsync("upload 11", CancellationToken.None);
        await trigger.RequestRefreshAsync("upload 12", CancellationToken.None);
        Assert.Equal(2, storage.GetMonitoringApi().ScheduledCount());
    }

    [Fact]
    public async Task An_import_that_changed_rows_requests_a_refresh_and_one_that_changed_nothing_does_not()
    {
        await using var db = await KpiData.CreateAsync(withData: false);
        using var storage = new InMemoryStorage();
        var batches = new Worker.Ingestion.Csv.ImportBatches(db.DataSource);
        var job = new Worker.Ingestion.Csv.ImportJob(batches, new Worker.Ingestion.Csv.CsvImporter(db.DataSource),
            NullLogger<Worker.Ingestion.Csv.ImportJob>.Instance, Trigger(db, storage));
        const string file = "Date,Channel,Sessions\n2030-01-01,Email,10\n";
        async Task ImportAsync(string name)
        {
            using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(file));
            var batch = await batches.CreateAsync("digital_channels", name, content, "upload", null, "tester", new Worker.Ingestion.Csv.ImportOptions(), 1 << 20, CancellationToken.None);
            await job.RunAsync(batch, "digital_channels", name, CancellationToken.None);
        }

        await ImportAsync("a.csv");
        Assert.Equal(1, storage.GetMonitoringApi().ScheduledCount());

        await KpiData.RefreshAsync(db.DataSource);  // the refresh ran: nothing pending any more
        await ImportAsync("a-again.csv");           // the same rows: nothing changed, no refresh asked for

        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal((1, false), await connection.QuerySingleAsync<(int, bool)>("select requests, pending_since is not null from kpi.refresh_requests"));
        Assert.Equal(1, storage.GetMonitoringApi().ScheduledCount());
    }

    /// <summary>The real trigger, scheduling into an in-memory Hangfire, with a catalogue holding just refresh-kpi-views.</summary>
    private static KpiRefreshTrigger Trigger(ScratchDatabase db, InMemoryStorage storage)
    {
        var jobs = Directory.CreateTempSubdirectory("kpi-jobs").FullName;
        File.Copy(Path.Combine(Worker.Hosting.ContentRoot.Locate(), "jobs", "refresh-kpi-views.json"), Path.Combine(jobs, "refresh-kpi-views.json"));
        var catalogue = JobCatalogue.Load(jobs, [new JobType(RefreshKpiViewsJob.TypeName, typeof(RefreshKpiViewsParameters), (_, _, _) => throw new NotSupportedException())]);
        Directory.Delete(jobs, recursive: true);
        return new KpiRefreshTrigger(db.DataSource, new BackgroundJobClient(storage), catalogue, KpiData.Options(), NullLogger<KpiRefreshTrigger>.Instance);
    }
}
