using Worker.Ingestion.Ga4;
using Worker.Jobs;

namespace Worker.Tests.Ingestion.Ga4;

/// <summary>The GA4 sync against the loopback fake over real HTTP and a real database.</summary>
public sealed class Ga4SyncTests
{
    [Fact]
    public async Task A_backfill_reads_every_page_of_every_slice_and_stores_every_day_exactly_once()
    {
        await using var h = await Ga4Harness.StartAsync(new() { ["Ga4:PageSize"] = "7", ["Ga4:SliceDays"] = "30" });

        var summary = await h.RunAsync(Ga4Harness.Parameters("channels"));

        // 2026-01-01 .. 2026-03-10 (yesterday in Auckland) = 69 days × 5 channels.
        Assert.Equal(345, summary.RowsRead);
        Assert.Equal(345, summary.RowsWritten);
        Assert.Equal((345L, 69L, 5L), (await h.ScalarAsync<long>("select count(*) from digital_channels where source = 'ga4:424242'"),
            await h.ScalarAsync<long>("select count(distinct report_date) from digital_channels"),
            await h.ScalarAsync<long>("select count(distinct channel_name) from digital_channels")));
        Assert.Equal(new DateOnly(2026, 3, 10), await h.ScalarAsync<DateOnly>("select max(report_date) from digital_channels"));
        // Pages of 7 rows: every page asked for the next offset, and the last page of each slice ended at rowCount.
        var calls = h.Fake.Calls.Where(c => c.StartDate != c.EndDate || c.Limit > 1).ToList();
        Assert.True(calls.Count >= 345 / 7, $"only {calls.Count} pages");
        Assert.All(calls.GroupBy(c => c.StartDate), slice =>
            Assert.Equal(Enumerable.Range(0, slice.Count()).Select(i => i * 7L), slice.Select(c => c.Offset)));
        var stored = await h.ScalarAsync<decimal>("select visits from digital_channels where report_date = '2026-02-14' and channel_name = 'Paid Search'");
        Assert.Equal(decimal.Parse(h.Property.Value(new DateOnly(2026, 2, 14), "Paid Search", "sessions"), System.Globalization.CultureInfo.InvariantCulture), stored);
        Assert.Equal(new DateOnly(2026, 3, 10), await h.ScalarAsync<DateOnly>("select synced_through from worker.ga4_sync_state where property_id = '424242' and report = 'channels'"));
        Assert.Single(h.Kpi.Reasons);
    }

    [Fact]
    public async Task A_rerun_with_nothing_revised_writes_nothing()
    {
        await using var h = await Ga4Harness.StartAsync();
        await h.RunAsync(Ga4Harness.Parameters("website"));
        var updatedAt = await h.ScalarAsync<DateTime>("select max(updated_at) from website_analytics");

        var again = await h.RunAsync(Ga4Harness.Parameters("website"));

        Assert.Equal(0, again.RowsWritten);
        Assert.Equal(3, again.RowsRead); // the same day: only the lookback window (the last 3 stored days) is read again
        Assert.Equal(updatedAt, await h.ScalarAsync<DateTime>("select max(updated_at) from website_analytics"));
        Assert.Equal(0L, await h.ScalarAsync<long>("select count(*) from worker.ga4_revisions"));
        Assert.Single(h.Kpi.Reasons); // only the first run changed rows
    }

    [Fact]
    public async Task The_lookback_picks_up_a_revised_day_and_records_the_revision()
    {
        await using var h = await Ga4Harness.StartAsync();
        await h.RunAsync(Ga4Harness.Parameters("website"));
        var before = await h.ScalarAsync<long>("select sessions from website_analytics where date = '2026-03-09'");
        h.Property.Revise(new DateOnly(2026, 3, 9), "sessions", 1.03m);
        h.Clock.Now = h.Clock.Now.AddDays(1);

        var summary = await h.RunAsync(Ga4Harness.Parameters("website"));

        var after = await h.ScalarAsync<long>("select sessions from website_analytics where date = '2026-03-09'");
        Assert.Equal(Math.Round(before * 1.03m), after);
        Assert.Equal(1L, summary.Details["daysRevised"]);
        var revision = Assert.Single(await h.QueryAsync<(DateOnly Day, string Metric, decimal Old, decimal New)>(
            "select day, metric, old_value, new_value from worker.ga4_revisions"));
        Assert.Equal((new DateOnly(2026, 3, 9), "sessions", (decimal)before, (decimal)after), revision);
        Assert.Contains($"2026-03-09 sessions: {before} → {after}", (IEnumerable<string>)summary.Details["revisions"]!);
        Assert.Equal(new DateOnly(2026, 3, 11), await h.ScalarAsync<DateOnly>("select max(date) from website_analytics"));
        Assert.Equal(1, await h.ScalarAsync<int>("select days_revised from worker.ga4_sync_runs order by id desc limit 1"));
    }
}
