using System.Text;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Ga4;

/// <summary>
/// GA4 rows and CSV rows side by side (docs/schema.md): each keyed by its source, so neither overwrites
/// the other; per day the effective views take GA4 over CSV, add up properties, and keep CSV's assisted
/// conversions; the overview and KPIs count each day once.
/// </summary>
public sealed class Ga4CoexistenceTests
{
    private static async Task<ImportResult> UploadAsync(Ga4Harness h, Dataset dataset, string csv)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        var result = await new CsvImporter(h.Db.DataSource).ImportAsync(dataset, new MemoryStream(bytes), "upload.csv", new ImportOptions(),
            new ImportActor(null, "import:test"), null, CancellationToken.None, reopen: () => new MemoryStream(bytes));
        Assert.True(result.Status == ImportStatus.Loaded, string.Join("; ", result.Errors.Select(e => e.Describe("upload.csv"))));
        return result;
    }

    [Fact]
    public async Task CSV_days_and_GA4_days_count_once_with_GA4_winning_the_days_both_have()
    {
        await using var h = await Ga4Harness.StartAsync();
        // An upload of 2026-03-06..08, then a sync of 2026-03-08..10: the 8th is in both.
        await UploadAsync(h, Datasets.DigitalChannels, """
            Date,Channel,Sessions,Leads,Key events,Cost
            2026-03-06,Paid Search,1000,100,10,500
            2026-03-07,Paid Search,1000,100,10,500
            2026-03-08,Paid Search,1000,100,10,500
            2026-03-08,Email,50,5,1,0
            """);

        await h.RunAsync(Ga4Harness.Parameters("channels", startDate: "2026-03-08"));

        Assert.Equal(4L, await h.ScalarAsync<long>("select count(*) from digital_channels where source = 'csv'")); // the sync touched no upload
        Assert.Equal(15L, await h.ScalarAsync<long>("select count(*) from digital_channels where source = 'ga4:424242'"));
        // One effective row per day and channel; the 8th from GA4 only (the CSV's Email row is not mixed in).
        Assert.True(await h.ScalarAsync<bool>("select count(*) = count(distinct (report_date, channel_name)) from v_digital_channels_effective"));
        Assert.Equal(["csv"], await h.ScalarAsync<string[]>("select sources from v_digital_channels_effective where report_date = '2026-03-07'"));
        Assert.Equal(0L, await h.ScalarAsync<long>("select count(*) from v_digital_channels_effective where report_date = '2026-03-08' and sources <> array['ga4:424242']"));
        var ga4Leads = await h.ScalarAsync<long>("select sum(leads) from digital_channels where source = 'ga4:424242'");
        Assert.Equal(200 + ga4Leads, await h.ScalarAsync<long>("select sum(leads) from v_digital_channels_effective"));
        Assert.Equal(200 + ga4Leads, await h.ScalarAsync<long>("select total_leads from v_marketing_overview where month = '2026-03-01'"));

        // A later upload of the same days still loads (its own rows) and still does not show on GA4 days.
        var again = await UploadAsync(h, Datasets.DigitalChannels, "Date,Channel,Sessions,Leads\n2026-03-08,Paid Search,2000,300\n2026-03-09,Direct,5,1\n");
        Assert.Equal((1L, 1L), (again.Inserted, again.Updated));
        Assert.Equal(200 + ga4Leads, await h.ScalarAsync<long>("select sum(leads) from v_digital_channels_effective"));
    }

    [Fact]
    public async Task Assisted_conversions_from_an_upload_survive_syncs_and_join_GA4s_first_and_last_touch()
    {
        await using var h = await Ga4Harness.StartAsync();
        await UploadAsync(h, Datasets.MarketingAttribution, "Date,Channel,First touch,Last touch,Assisted conversions\n2026-03-09,Email,1,1,7\n");

        await h.RunAsync(Ga4Harness.Parameters("attribution", startDate: "2026-03-08"));
        h.Property.Revise(new DateOnly(2026, 3, 9), "keyEvents", 2m, "Email");
        await h.RunAsync(Ga4Harness.Parameters("attribution", startDate: "2026-03-08"));
        // An upload without the assisted column leaves it as it was.
        await UploadAsync(h, Datasets.MarketingAttribution, "Date,Channel,First touch,Last touch\n2026-03-09,Email,2,2\n");

        var row = (await h.QueryAsync<(decimal First, decimal Last, decimal Assisted, string[] Sources)>(
            "select first_touch_conversions, last_touch_conversions, assisted_conversions, sources from v_marketing_attribution_effective where report_date = '2026-03-09' and channel = 'Email'")).Single();
        var firstTouch = decimal.Parse(h.Property.Value(new DateOnly(2026, 3, 9), "Email", "keyEvents"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((firstTouch, firstTouch, 7m), (row.First, row.Last, row.Assisted));
        Assert.Equal(["ga4:424242"], row.Sources);
        Assert.Equal(7m, await h.ScalarAsync<decimal>("select assisted_conversions from marketing_attribution where source = 'csv'"));
        Assert.Equal(0m, await h.ScalarAsync<decimal>("select sum(assisted_conversions) from marketing_attribution where source like 'ga4:%'"));
        Assert.True(await h.ScalarAsync<long>("select count(*) from worker.ga4_revisions where table_name = 'marketing_attribution' and dimension = 'Email'") >= 1);
    }

    [Fact]
    public async Task Two_properties_never_mix_and_add_up_in_the_effective_view()
    {
        await using var h = await Ga4Harness.StartAsync();
        h.Fake.AddProperty("777", "Pacific/Auckland");

        await h.RunAsync(Ga4Harness.Parameters("website", startDate: "2026-03-08"));
        await h.RunAsync(Ga4Harness.Parameters("website", startDate: "2026-03-08", propertyId: "777"));
        h.Fake.Properties["777"].Revise(new DateOnly(2026, 3, 10), "sessions", 2m);
        await h.RunAsync(Ga4Harness.Parameters("website", startDate: "2026-03-08", propertyId: "777"));

        Assert.Equal(3L, await h.ScalarAsync<long>("select count(*) from website_analytics where source = 'ga4:424242'"));
        Assert.Equal(3L, await h.ScalarAsync<long>("select count(*) from website_analytics where source = 'ga4:777'"));
        // The revision of one property touched only its rows and is recorded under it.
        Assert.Equal(long.Parse(h.Property.Value(new DateOnly(2026, 3, 10), "", "sessions"), System.Globalization.CultureInfo.InvariantCulture),
            await h.ScalarAsync<long>("select sessions from website_analytics where source = 'ga4:424242' and date = '2026-03-10'"));
        Assert.Equal(["777"], await h.ScalarAsync<string[]>("select array_agg(distinct property_id) from worker.ga4_revisions"));
        Assert.Equal(await h.ScalarAsync<long>("select sum(sessions) from website_analytics where date = '2026-03-10'"),
            await h.ScalarAsync<long>("select sessions from v_website_analytics_effective where date = '2026-03-10'"));
        Assert.Equal(3L, await h.ScalarAsync<long>("select count(*) from v_website_analytics_effective"));
        Assert.Equal(2, await h.ScalarAsync<int>("select count(*) from worker.ga4_sync_state where report = 'website'"));
    }
}
