using Worker.Ingestion.Ga4;
using Worker.Jobs;

namespace Worker.Tests.Ingestion.Ga4;

/// <summary>Each error GA4 answers, against the fake: what is retried, what fails at once, and what the message says.</summary>
public sealed class Ga4ErrorTests
{
    private static RunReportRequest Request(string metric = "sessions") => new()
    {
        Property = "properties/" + Ga4Harness.PropertyId,
        Dimensions = [new Dimension("date")],
        Metrics = [new Metric(metric)],
        DateRanges = [new DateRange("2026-03-01", "2026-03-07")],
        OrderBys = [new OrderBy { Dimension = new DimensionOrderBy("date") }],
        Limit = 100,
        ReturnPropertyQuota = true,
    };

    private static int Calls(Ga4Harness h) => h.Fake.Calls.Count;

    [Fact]
    public async Task The_client_reads_a_report_with_a_token_from_the_key_files_token_uri()
    {
        await using var h = await Ga4Harness.StartAsync();

        var report = await h.Client.RunReportAsync(Request(), CancellationToken.None);

        Assert.Equal(7, report.RowCount);
        Assert.Equal("20260301", report.Rows[0].DimensionValues[0].Value);
        Assert.Equal("Pacific/Auckland", report.Metadata?.TimeZone);
        Assert.Equal(10, report.PropertyQuota?.TokensPerDay?.Consumed);
        Assert.Equal(1, h.Fake.TokensIssued);
    }

    [Fact]
    public async Task A_400_fails_at_once_without_retry_as_bad_input()
    {
        await using var h = await Ga4Harness.StartAsync();
        await h.Client.RunReportAsync(Request(), CancellationToken.None);
        var before = Calls(h);
        h.Fake.FailNext(FakeFault.InvalidArgument());

        var error = await Assert.ThrowsAsync<JobInputException>(() => h.RunAsync(Ga4Harness.Parameters("website")));

        Assert.Contains("invalid (400)", error.Message);
        Assert.Contains("bogusMetric is not a valid metric", error.Message);
        Assert.Equal(before, Calls(h)); // the failed call is not answered with a report, and nothing was retried
        Assert.Equal("failed", await h.ScalarAsync<string>("select status from worker.ga4_sync_runs"));
    }

    [Fact]
    public async Task A_403_names_the_service_account_to_add_as_viewer_and_is_not_retried()
    {
        await using var h = await Ga4Harness.StartAsync();
        h.Property.Denied = true;

        var error = await Assert.ThrowsAsync<JobInputException>(() => h.RunAsync(Ga4Harness.Parameters("website")));

        Assert.Contains("add the service account ga4-sync@worker-tests.iam.gserviceaccount.com as Viewer on property 424242", error.Message);
        Assert.Equal(0L, await h.ScalarAsync<long>("select count(*) from website_analytics"));
        Assert.Contains("PERMISSION_DENIED", await h.ScalarAsync<string>("select error from worker.ga4_sync_runs"));
    }

    [Fact]
    public async Task A_401_gets_a_new_token_once_and_then_succeeds()
    {
        await using var h = await Ga4Harness.StartAsync();
        await h.Client.RunReportAsync(Request(), CancellationToken.None);
        h.Fake.RevokeTokens();

        var report = await h.Client.RunReportAsync(Request(), CancellationToken.None);

        Assert.Equal(7, report.Rows.Count);
        Assert.Equal(2, h.Fake.TokensIssued);
    }

    [Fact]
    public async Task A_401_after_the_refresh_fails_without_further_attempts()
    {
        await using var h = await Ga4Harness.StartAsync();
        await h.Client.RunReportAsync(Request(), CancellationToken.None);
        h.Fake.RejectTokens = true;

        // The fresh token is refused too.
        var error = await Assert.ThrowsAsync<Ga4ApiException>(() => h.Client.RunReportAsync(Request(), CancellationToken.None));

        Assert.Equal(Ga4ErrorKind.Unauthenticated, error.Kind);
        Assert.Equal(2, h.Fake.TokensIssued);
        Assert.DoesNotContain("ya29", error.Message);
    }

    [Fact]
    public async Task A_429_for_the_daily_quota_stops_the_run_without_retry()
    {
        await using var h = await Ga4Harness.StartAsync();
        var callsBefore = 0;
        h.Fake.FailNext(FakeFault.DailyQuota);

        var error = await Assert.ThrowsAsync<JobInputException>(() => h.RunAsync(Ga4Harness.Parameters("website")));

        Assert.Contains("daily GA4 token quota", error.Message);
        Assert.Contains("midnight Pacific", error.Message);
        Assert.Equal(callsBefore, Calls(h));
        Assert.Equal("stopped", await h.ScalarAsync<string>("select status from worker.ga4_sync_runs"));
    }

    [Theory]
    [InlineData("hourly")]
    [InlineData("concurrent")]
    public async Task A_429_for_an_hourly_or_concurrent_quota_backs_off_and_then_succeeds(string which)
    {
        await using var h = await Ga4Harness.StartAsync();
        var fault = which == "hourly" ? FakeFault.HourlyQuota : FakeFault.Concurrent;
        h.Fake.FailNext(fault, fault);

        var report = await h.Client.RunReportAsync(Request(), CancellationToken.None);

        Assert.Equal(7, report.Rows.Count);
        Assert.Single(h.Fake.Calls); // two refusals, then the answer
    }

    [Fact]
    public async Task The_quota_backoff_waits_at_least_the_configured_time()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:QuotaBackoff"] = "00:00:00.300" });
        h.Fake.FailNext(FakeFault.HourlyQuota);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await h.Client.RunReportAsync(Request(), CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"retried after {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_429_that_stays_fails_after_the_configured_retries()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:QuotaRetries"] = "2" });
        h.Fake.FailNext(FakeFault.HourlyQuota, FakeFault.HourlyQuota, FakeFault.HourlyQuota, FakeFault.HourlyQuota);

        var error = await Assert.ThrowsAsync<Ga4ApiException>(() => h.Client.RunReportAsync(Request(), CancellationToken.None));

        Assert.Equal(Ga4ErrorKind.QuotaExhausted, error.Kind);
        var report = await h.Client.RunReportAsync(Request(), CancellationToken.None); // 1 + 2 retries used three faults; one is left
        Assert.Equal(7, report.Rows.Count);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Server_errors_are_retried_a_few_times(int status)
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:ServerErrorRetries"] = "2" });
        var fault = status == 500 ? FakeFault.Internal : FakeFault.Unavailable;
        h.Fake.FailNext(fault, fault);

        var report = await h.Client.RunReportAsync(Request(), CancellationToken.None);
        Assert.Equal(7, report.Rows.Count);

        h.Fake.FailNext(fault, fault, fault);
        var error = await Assert.ThrowsAsync<Ga4ApiException>(() => h.Client.RunReportAsync(Request(), CancellationToken.None));
        Assert.Equal(Ga4ErrorKind.ServerError, error.Kind);
    }

    [Fact]
    public async Task A_property_id_that_is_not_set_refuses_to_run()
    {
        await using var h = await Ga4Harness.StartAsync();

        var error = await Assert.ThrowsAsync<JobInputException>(() => h.RunAsync(Ga4Harness.Parameters("website", propertyId: "")));

        Assert.Contains("parameters.propertyId", error.Message);
        Assert.Empty(h.Fake.Calls);
    }
}
