using Worker.Ingestion.Csv;
using static Worker.Tests.Ingestion.Csv.Imports;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>
/// One file per real export layout (Layouts/*.csv): the structure of what GA4, Google Ads, Microsoft
/// Advertising, Meta, LinkedIn, Universal Analytics and YouTube Studio write, with our own values
/// (docs/csv-formats.md cites where each structure comes from). Each loads with exact stored sums.
/// </summary>
public sealed class RealLayoutTests
{
    private static readonly string Folder = Path.Combine(Worker.Hosting.ContentRoot.Locate(), "tests", "Worker.Tests", "Ingestion", "Csv", "Layouts");

    private static Dictionary<string, string> Set(string column, string value) => new() { [column] = value };

    private static async Task<ImportResult> LoadFileAsync(ScratchDatabase db, Dataset dataset, string file, ImportOptions? options = null)
    {
        var path = Path.Combine(Folder, file);
        await using var stream = File.OpenRead(path);
        return await new CsvImporter(db.DataSource).ImportAsync(dataset, stream, file, options ?? new ImportOptions(), Tester, null,
            CancellationToken.None, reopen: () => File.OpenRead(path));
    }

    [Fact]
    public async Task GA4_traffic_acquisition_with_its_preamble_a_qualified_channel_header_and_two_session_columns()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadFileAsync(db, Datasets.DigitalChannels, "ga4-traffic-acquisition.csv");

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal(6, result.Inserted);
        Assert.Contains("Columns 'Sessions' and 'Engaged sessions' both mean visits: took 'Sessions', ignored 'Engaged sessions'.", result.Notes);
        Assert.Equal("6|4787|43.00|Direct,Organic Search,Paid Search",
            await ScalarAsync<string>(db, "select count(*) || '|' || sum(visits) || '|' || sum(conversions) || '|' || string_agg(distinct channel_name, ',') from digital_channels"));
    }

    [Fact]
    public async Task GA4_explore_with_a_grand_total_row_right_under_the_header_labelled_in_a_figure_cell()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadFileAsync(db, Datasets.WebsiteAnalytics, "ga4-explore-grand-total.csv");

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal((3L, 1L), (result.Inserted, result.Skipped));
        Assert.Equal("9450|3510|2985", await ScalarAsync<string>(db, "select sum(pageviews) || '|' || sum(sessions) || '|' || sum(users) from website_analytics"));
    }

    [Fact]
    public async Task Google_Ads_keyword_report_with_title_and_period_lines_total_rows_and_a_keyword_in_two_ad_groups()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, "insert into marketing_campaigns (name, campaign_type, start_date) values ('Search', 'online', '2025-01-01')");

        var result = await LoadFileAsync(db, Datasets.SeoSemCampaigns, "google-ads-keywords.csv", new ImportOptions { SumDuplicates = true });

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal((3L, 3L, 1L), (result.Inserted, result.Skipped, result.Combined));
        Assert.Contains(result.Notes, n => n.StartsWith("Every row covers the report period 2025-09-01 to 2025-09-30, from line 2", StringComparison.Ordinal));
        Assert.Equal(["crm software|4000|136|280.40|5.50|2025-09-01|2025-09-30", "kpi dashboard|900|30|45.00|0.00|2025-09-01|2025-09-30", "marketing report|0|0|0.00|0.00|2025-09-01|2025-09-30"],
            await RowsAsync(db, "select keyword, impressions, clicks, cost::text, conversions::text, start_date::text, end_date::text from seo_sem_campaigns order by keyword"));
    }

    [Fact]
    public async Task Microsoft_Advertising_report_with_its_header_block_US_dates_and_the_copyright_footer()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadFileAsync(db, Datasets.DigitalChannels, "microsoft-advertising.csv");

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal(4, result.Inserted);
        Assert.Contains("Dates read month first (M/d/yyyy), as '9/13/2025' (line 13) shows.", result.Notes);
        Assert.Contains("Ignored 1 line(s) after the data, from line 16 ('©2025 Microsoft Corporation. All rights reserved.').", result.Notes);
        Assert.Equal("2025-09-01,2025-09-13|135.00|6.00",
            await ScalarAsync<string>(db, "select string_agg(distinct report_date::text, ',') || '|' || sum(cost) || '|' || sum(conversions) from digital_channels"));
    }

    [Fact]
    public async Task Meta_Ads_Manager_by_day_and_campaign_with_a_currency_in_the_spend_header_and_blank_leads()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadFileAsync(db, Datasets.DigitalChannels, "meta-ads-daily-by-campaign.csv",
            new ImportOptions { Set = Set("channel_name", "Meta"), SumDuplicates = true });

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal((2L, 2L), (result.Inserted, result.Combined));
        Assert.Equal(["2025-09-01|Meta|8.00|1560.50|8", "2025-09-02|Meta|1.00|1275.25|1"],
            await RowsAsync(db, "select report_date::text, channel_name, conversions::text, cost::text, leads from digital_channels order by report_date"));
    }

    [Fact]
    public async Task LinkedIn_Campaign_Manager_with_Report_Start_lines_UTC_qualified_dates_and_no_channel_column()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadFileAsync(db, Datasets.DigitalChannels, "linkedin-campaign-manager.csv",
            new ImportOptions { Set = Set("channel_name", "LinkedIn"), SumDuplicates = true });

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal((2L, 2L), (result.Inserted, result.Combined));
        Assert.Contains("Skipped 4 line(s) before the header row (line 5).", result.Notes);
        Assert.Equal(["2025-09-01|LinkedIn|350.00|8", "2025-09-13|LinkedIn|350.00|4"],
            await RowsAsync(db, "select report_date::text, channel_name, cost::text, leads from digital_channels order by report_date"));
    }

    [Fact]
    public async Task Universal_Analytics_with_an_unlabelled_totals_row_and_a_second_table_after_a_blank_line()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadFileAsync(db, Datasets.WebsiteAnalytics, "universal-analytics-audience.csv");

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal((3L, 1L), (result.Inserted, result.Skipped));
        Assert.Contains("Ignored 4 line(s) after the data, from line 14 ('Day Index,Bounce Rate').", result.Notes);
        Assert.Equal("2025-09-01,2025-09-02,2025-09-13|3330|2670|9450",
            await ScalarAsync<string>(db, "select string_agg(date::text, ',' order by date) || '|' || sum(sessions) || '|' || sum(users) || '|' || sum(pageviews) from website_analytics"));
    }

    [Fact]
    public async Task YouTube_Studio_table_data_with_its_total_row_first_views_and_impressions_and_a_type_for_the_whole_file()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadFileAsync(db, Datasets.ContentPieces, "youtube-studio-table-data.csv", new ImportOptions { Set = Set("content_type", "Video") });

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal((2L, 1L), (result.Inserted, result.Skipped));
        Assert.Contains("Columns 'Impressions' and 'Views' both mean impressions: took 'Impressions', ignored 'Views'.", result.Notes);
        Assert.Equal(["Five KPI mistakes|video|2025-09-15|7000", "Launch walkthrough|video|2025-09-01|11000"],
            await RowsAsync(db, "select title, content_type, publish_date::text, impressions from content_pieces order by title"));
    }

    [Fact]
    public async Task A_file_whose_day_and_month_order_cannot_be_told_is_refused_naming_both_readings()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var message = await RefusalAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n9/1/2025,A,1\n10/2/2025,A,2\n");

        Assert.StartsWith("Column 'Date' value '9/1/2025' (line 2) could be 9 January 2025 (d/M/yyyy) or 1 September 2025 (M/d/yyyy), and no date in the file tells which: " +
            "declare the date format (--date-format=d/M/yyyy or --date-format=M/d/yyyy", message);
    }

    [Fact]
    public async Task A_constant_for_a_column_the_file_has_is_refused_and_an_unknown_column_is_named()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var both = await RefusalAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,A,1\n", new ImportOptions { Set = Set("channel_name", "B") });
        var unknown = await RefusalAsync(db, Datasets.DigitalChannels, "Date,Sessions\n2026-01-01,1\n", new ImportOptions { Set = Set("chanel", "B") });

        Assert.Equal("The file has a 'Channel' column, and a value for channel_name was also given (--set channel_name=B): give one or the other.", both);
        Assert.Equal("--set chanel=…: digital_channels has no column 'chanel' (its columns: report_date, channel_name, visits, leads, conversions, cost).", unknown);
    }
}
