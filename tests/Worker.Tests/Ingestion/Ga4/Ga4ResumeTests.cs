using Microsoft.Extensions.DependencyInjection;
using Worker.Jobs;

namespace Worker.Tests.Ingestion.Ga4;

/// <summary>Runs that are interrupted, that meet GA4 still processing, or that run low on quota.</summary>
public sealed class Ga4ResumeTests
{
    private const string DaysOnce = "select count(*) = count(distinct (report_date, channel_name)) and count(distinct report_date) = @days from digital_channels where source = 'ga4:424242'";

    [Fact]
    public async Task A_network_failure_mid_page_reads_the_slice_again_whole()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:PageSize"] = "10", ["Ga4:SliceDays"] = "10" });
        h.Fake.FailAt(4, FakeFault.AbortMidBody); // the probe, then slice 1 pages 1-2, then page 3 is cut off

        var summary = await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01"));

        Assert.True(await h.ScalarAsync<bool>(DaysOnce, new { days = 38 }));
        Assert.Equal(190, summary.RowsRead); // the failed attempt's rows are not counted, nor kept
        Assert.Equal(190, summary.RowsWritten);
    }

    [Fact]
    public async Task A_row_count_that_moves_between_pages_restarts_the_slice()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:PageSize"] = "10", ["Ga4:SliceDays"] = "10" });
        h.Fake.FailAt(3, FakeFault.RowCountMoves);

        var summary = await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01"));

        Assert.True(await h.ScalarAsync<bool>(DaysOnce, new { days = 38 }));
        Assert.Equal(190, summary.RowsRead);
        // Slice one was read from offset 0 twice.
        Assert.Equal(2, h.Fake.Calls.Count(c => c.StartDate == "2026-02-01" && c.Offset == 0));
    }

    [Fact]
    public async Task A_backfill_cancelled_mid_slice_keeps_the_committed_slices_and_the_rerun_stores_every_day_once()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:PageSize"] = "10", ["Ga4:SliceDays"] = "10" });
        using var cancel = new CancellationTokenSource();
        // Call 1 is the probe, 2-6 the five pages of slice one (50 rows), 7-11 slice two: cancel in its third page.
        h.Fake.BeforeAnswer = n => { if (n == 9) { cancel.Cancel(); } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01"), cancel.Token));

        Assert.Equal(10L, await h.ScalarAsync<long>("select count(distinct report_date) from digital_channels"));
        Assert.Equal(new DateOnly(2026, 2, 10), await h.ScalarAsync<DateOnly>("select synced_through from worker.ga4_sync_state"));
        Assert.Equal("failed", await h.ScalarAsync<string>("select status from worker.ga4_sync_runs"));
        h.Fake.BeforeAnswer = null;

        var summary = await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01"));

        Assert.True(await h.ScalarAsync<bool>(DaysOnce, new { days = 38 }));
        Assert.Equal(new DateOnly(2026, 2, 8), summary.Details["from"]); // resumed: the committed slice less the lookback
    }

    [Fact]
    public async Task A_backfill_that_fails_mid_slice_on_a_fault_resumes_where_it_stopped()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:PageSize"] = "10", ["Ga4:SliceDays"] = "10", ["Ga4:ServerErrorRetries"] = "0" });
        h.Fake.FailAt(14, FakeFault.Internal);

        await Assert.ThrowsAsync<Worker.Ingestion.Ga4.Ga4ApiException>(() => h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01")));
        var committed = await h.ScalarAsync<long>("select count(distinct report_date) from digital_channels");
        Assert.Equal(0, committed % 10); // whole slices only
        Assert.InRange(committed, 10, 30);

        await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01"));

        Assert.True(await h.ScalarAsync<bool>(DaysOnce, new { days = 38 }));
    }

    [Fact]
    public async Task A_backfill_stops_early_when_little_quota_remains_and_resumes_next_run()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:SliceDays"] = "10", ["Ga4:TokensPerHour"] = "1000" });
        h.Property.TokensPerHourRemaining = 115; // after the probe and slice one (10 tokens each), 95: under 10 % of 1,000

        var first = await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01"));

        Assert.Equal("stopped", first.Details["status"]);
        Assert.Contains("hourly GA4 tokens remain", (string)first.Details["note"]!);
        Assert.Equal(10L, await h.ScalarAsync<long>("select count(distinct report_date) from digital_channels"));
        Assert.Equal("stopped", await h.ScalarAsync<string>("select status from worker.ga4_sync_runs"));
        h.Property.TokensPerHourRemaining = 40_000; // the next hour

        var second = await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-02-01"));

        Assert.Equal("succeeded", second.Details["status"]);
        Assert.True(await h.ScalarAsync<bool>(DaysOnce, new { days = 38 }));
    }

    [Fact]
    public async Task Yesterday_is_the_property_time_zones_yesterday_thirteen_hours_from_UTC()
    {
        await using var h = await Ga4Harness.StartAsync();
        h.Clock.Now = new DateTimeOffset(2026, 3, 10, 10, 30, 0, TimeSpan.Zero); // 23:30 on the 10th in Auckland (UTC+13)

        await h.RunAsync(Ga4Harness.Parameters("website", startDate: "2026-03-01"));
        Assert.Equal(new DateOnly(2026, 3, 9), await h.ScalarAsync<DateOnly>("select max(date) from website_analytics"));

        h.Clock.Now = new DateTimeOffset(2026, 3, 10, 11, 30, 0, TimeSpan.Zero); // 00:30 on the 11th there; still the 10th in UTC
        await h.RunAsync(Ga4Harness.Parameters("website", startDate: "2026-03-01"));

        Assert.Equal(new DateOnly(2026, 3, 10), await h.ScalarAsync<DateOnly>("select max(date) from website_analytics"));
        Assert.Equal("Pacific/Auckland", await h.ScalarAsync<string>("select time_zone from worker.ga4_sync_state"));
        Assert.Equal(10L, await h.ScalarAsync<long>("select count(*) from website_analytics"));
    }

    [Fact]
    public async Task Blocked_cost_is_stored_as_null_and_said_in_the_summary()
    {
        await using var h = await Ga4Harness.StartAsync();
        h.Property.CostRestricted = true;
        h.Property.SubjectToThresholding = true;

        var summary = await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-03-01"));

        Assert.Equal(true, summary.Details["costUnavailable"]);
        Assert.Contains("cost is stored as NULL", (string)summary.Details["note"]!);
        Assert.Equal(0L, await h.ScalarAsync<long>("select count(cost) from digital_channels"));
        Assert.True(await h.ScalarAsync<bool>("select cost_unavailable and flags ? 'subjectToThresholding' from worker.ga4_sync_runs"));
    }

    [Fact]
    public async Task The_ETL_section_shows_freshness_quota_and_flags_of_the_last_run()
    {
        await using var h = await Ga4Harness.StartAsync();
        h.Property.SubjectToThresholding = true;
        h.Property.CostRestricted = true;
        await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-03-01"));

        var html = await RenderSectionAsync(new Worker.Ingestion.Ga4.Ga4SyncOverview(h.Db.DataSource));

        Assert.Contains("data-ga4=\"424242/channels\"", html);
        Assert.Contains("2026-03-10", html); // synced through yesterday in Auckland
        Assert.Contains("Pacific/Auckland", html);
        Assert.Contains("subjectToThresholding", html);
        Assert.Contains("no cost data", html);
        Assert.Contains("50 / 50", html); // rows read / written: 10 days × 5 channels
        Assert.DoesNotContain("ya29", html);
    }

    private static async Task<string> RenderSectionAsync(Worker.Ingestion.Ga4.Ga4SyncOverview overview)
    {
        await using var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddSingleton(overview)
            .AddLogging()
            .BuildServiceProvider();
        await using var renderer = new Microsoft.AspNetCore.Components.Web.HtmlRenderer(services,
            services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>());
        var context = new Worker.Web.EtlSections.EtlSectionContext(true, path => path, "", "", null, new Dictionary<string, string>());
        var parameters = Microsoft.AspNetCore.Components.ParameterView.FromDictionary(new Dictionary<string, object?> { ["Context"] = context });
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<Worker.Web.EtlSections.Ga4Section>(parameters)).ToHtmlString());
    }
}
