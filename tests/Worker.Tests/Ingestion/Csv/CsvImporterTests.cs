using System.Text;
using Dapper;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>The import engine against a real database: each test gets a freshly migrated one.</summary>
public sealed class CsvImporterTests
{
    private static readonly ImportActor Tester = new(null, "import:test");

    private static async Task<ImportResult> ImportAsync(ScratchDatabase db, Dataset dataset, string csv, ImportOptions? options = null, Encoding? encoding = null, string fileName = "export.csv")
    {
        var bytes = (encoding ?? new UTF8Encoding(false)).GetPreamble().Concat((encoding ?? new UTF8Encoding(false)).GetBytes(csv)).ToArray();
        return await new CsvImporter(db.DataSource).ImportAsync(dataset, new MemoryStream(bytes), fileName, options ?? new ImportOptions(), Tester, null,
            CancellationToken.None, reopen: () => new MemoryStream(bytes));
    }

    private static async Task<T> ScalarAsync<T>(ScratchDatabase db, string sql)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    private static async Task ExecuteAsync(ScratchDatabase db, string sql)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql);
    }

    [Fact]
    public async Task A_GA4_export_with_preamble_aliases_thousands_separators_currency_and_a_totals_row_loads()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await ImportAsync(db, Datasets.DigitalChannels, """
            # ----------------------------------------
            # Traffic acquisition: Session default channel group
            # Start date: 20260101
            # End date: 20260102
            # ----------------------------------------
            Session default channel group,Date,Sessions,Key events,Key events: generate_lead,Ads cost
            Organic Search,20260101,"1,234",12.0,5,$0.00
            Paid Search,20260101,800,20.5,9,"$1,250.50"
            Paid Search,20260102,810,21,10,"$1,300.00"
            Total,,2844,53.5,24,2550.5
            """);

        Assert.Equal((ImportStatus.Loaded, 3L, 3L, 0L, 0L, 1L), (result.Status, result.RowsRead, result.Inserted, result.Updated, result.Unchanged, result.Skipped));
        Assert.Equal(1250.50m, await ScalarAsync<decimal>(db, "select cost from digital_channels where channel_name = 'Paid Search' and report_date = '2026-01-01'"));
        Assert.Equal(1234L, await ScalarAsync<long>(db, "select visits from digital_channels where channel_name = 'Organic Search'"));
        Assert.Equal(20.5m, await ScalarAsync<decimal>(db, "select conversions from digital_channels where channel_name = 'Paid Search' and report_date = '2026-01-01'"));
    }

    public static TheoryData<string, string, string, long> HappyPaths => new()
    {
        { "marketing_attribution", "Date,Channel,First click conversions,Last click conversions,Assisted conversions\n2026-01-01,Email,3,4.5,7\n2026-01-01,Direct,1,2,0\n", "select sum(last_touch_conversions) from marketing_attribution", 6 },
        { "website_analytics", "Date,Views,Sessions,Total users,Bounce rate,Average session duration\n20260101,\"4,000\",1500,1100,27.61%,00:02:15\n20260102,4100,1550,1120,0.3,95.5\n", "select round(sum(bounce_rate) * 10000) from website_analytics", 5761 },
        { "offline_events", "Campaign,Event name,Location,Event date,Attendees,Leads\nExpo,Expo Berlin,Berlin,2026-03-01,1200,85\nExpo,Expo Paris,Paris,2026-03-15,950,60\n", "select sum(leads_generated) from offline_events", 145 },
        { "seo_sem_campaigns", "Campaign;Keyword;Impr.;Clicks;Conversions;Cost;Start date;End date\nSearch;kpi dashboard;20000;800;20;1500,50;2026-01-01;2026-01-31\n", "select sum(clicks) from seo_sem_campaigns", 800 },
        { "content_pieces", "Title\tContent type\tPublish date\tImpressions\tLeads\tCampaign\nLaunch post\tBlog\t2026-01-05\t42000\t120\tSearch\nCase study\tcase study\t2026-01-20\t7000\t35\t\n", "select count(*) from content_pieces where content_type in ('blog', 'case_study')", 2 },
    };

    [Theory]
    [MemberData(nameof(HappyPaths))]
    public async Task Each_dataset_loads_its_typical_export(string datasetName, string csv, string check, long expected)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, """
            insert into marketing_campaigns (name, campaign_type, start_date) values ('Expo', 'offline', '2026-01-01'), ('Search', 'online', '2026-01-01');
            """);

        var result = await ImportAsync(db, Datasets.Find(datasetName)!, csv, new ImportOptions { DecimalComma = csv.Contains(';', StringComparison.Ordinal) });

        Assert.True(result.Status == ImportStatus.Loaded, string.Join("; ", result.Errors.Select(e => e.Describe("f"))));
        Assert.Equal(expected, await ScalarAsync<long>(db, check));
    }

    [Fact]
    public async Task Semicolons_decimal_commas_and_a_UTF8_byte_order_mark_are_understood()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await ImportAsync(db, Datasets.DigitalChannels, "Datum;Channel;Visits;Cost\n2026-01-01;Référencement;1.234;1.234,56 €\n".Replace("Datum", "Date", StringComparison.Ordinal),
            new ImportOptions { DecimalComma = true }, new UTF8Encoding(true));

        Assert.Equal(ImportStatus.Loaded, result.Status);
        Assert.Contains("delimiter semicolon", result.Notes[0], StringComparison.Ordinal);
        Assert.Equal(1234.56m, await ScalarAsync<decimal>(db, "select cost from digital_channels where channel_name = 'Référencement'"));
    }

    [Fact]
    public async Task UTF16_with_tabs_and_Windows_1252_files_are_decoded()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var utf16 = await ImportAsync(db, Datasets.DigitalChannels, "Day\tChannel\tClicks\tSpend\n2026-01-01\tLinkedIn Ads – EMEA\t10\t99\n", encoding: new UnicodeEncoding(false, true));
        var cp1252 = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Cost\n2026-01-02,Café Ads,5\n", encoding: CodePage1252());

        Assert.Equal((ImportStatus.Loaded, ImportStatus.Loaded), (utf16.Status, cp1252.Status));
        Assert.Contains("utf-16", utf16.Notes[0], StringComparison.Ordinal);
        Assert.Contains("windows-1252", cp1252.Notes[0], StringComparison.Ordinal);
        Assert.Equal(2, await ScalarAsync<long>(db, "select count(*) from digital_channels where channel_name in ('LinkedIn Ads – EMEA', 'Café Ads')"));
    }

    private static Encoding CodePage1252()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }

    [Fact]
    public async Task Missing_required_columns_are_reported_before_any_row_with_what_was_found()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var error = await Assert.ThrowsAsync<ImportRejectedException>(() => ImportAsync(db, Datasets.DigitalChannels, "Week,Sessions,Cost\n2026-01-01,10,5\n"));

        Assert.Equal("Missing required column(s): report_date (e.g. 'date', 'day', 'report date'); channel_name (e.g. 'channel', 'session default channel group', 'session primary channel group'). " +
            "A column the export does not have can be given for the whole file (e.g. --set channel_name=LinkedIn). Found: 'Week', 'Sessions', 'Cost'.", error.Message);
    }

    [Fact]
    public async Task A_bad_value_is_reported_with_line_column_value_and_reason_and_nothing_changes()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions,Cost\n2026-01-01,Email,10,5\n2026-01-02,Email,ten,5\n2026-01-03,Email,-4,5\n2026-01-04,Email,4,abc\n");

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Equal(
            ["export.csv:3: column 'Sessions' value 'ten' is not a number",
             "export.csv:4: column 'Sessions' value '-4' must not be negative",
             "export.csv:5: column 'Cost' value 'abc' is not a number"],
            result.Errors.Select(e => e.Describe("export.csv")));
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Fact]
    public async Task Duplicate_keys_in_one_file_name_both_lines()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,Email,1\n2026-01-02,Email,2\n2026-01-01,Email,3\n");

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Equal(
            ["export.csv:2: column 'Date + Channel' value '2026-01-01 / Email' repeats a key that is also on line(s) 4; each key may appear once per file (or, for figures that add up, sum them: --sum-duplicates, sumDuplicates=true)",
             "export.csv:4: column 'Date + Channel' value '2026-01-01 / Email' repeats a key that is also on line(s) 2; each key may appear once per file (or, for figures that add up, sum them: --sum-duplicates, sumDuplicates=true)"],
            result.Errors.Select(e => e.Describe("export.csv")));
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Theory]
    [InlineData("website_analytics", "Date,Bounce rate\n2026-01-01,140%\n", "column 'Bounce rate' value '140%' must be between 0 and 100 %")]
    [InlineData("seo_sem_campaigns", "Campaign,Keyword,Clicks,Start date,End date\nSearch,k,1,2026-02-01,2026-01-31\n", "column 'End date' value '2026-01-31' is before Start date (2026-02-01)")]
    [InlineData("offline_events", "Campaign,Event,Date,Attendees\nNo such campaign,E,2026-01-01,5\n", "column 'Campaign' value 'No such campaign' is not a known campaign")]
    [InlineData("content_pieces", "Title,Type,Publish date\nT,hologram,2026-01-01\n", "column 'Type' value 'hologram' must be one of blog, case_study")]
    [InlineData("digital_channels", "Date,Channel,Sessions\n2026-01-01,Email,1\n31.13.2026,Email,1\n", "column 'Date' value '31.13.2026' is not a date in YYYY-MM-DD or YYYYMMDD form")]
    [InlineData("digital_channels", "Date,Channel,Sessions\n2026-01-01,,4\n", "column 'Channel' value '' a value is required")]
    [InlineData("digital_channels", "Date,Channel,Sessions\n2026-01-01,Email,4.5\n", "column 'Sessions' value '4.5' must be a whole number")]
    public async Task Values_outside_their_domain_are_errors(string datasetName, string csv, string expected)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, "insert into marketing_campaigns (name, campaign_type, start_date) values ('Search', 'online', '2026-01-01')");

        var result = await ImportAsync(db, Datasets.Find(datasetName)!, csv);

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Contains(expected, Assert.Single(result.Errors).Describe("f"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_declared_date_format_reads_day_first_dates()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n01/02/2026,Email,1\n\"Jan 3, 2026\",Email,2\n", new ImportOptions { DateFormat = "dd/MM/yyyy" });

        Assert.Equal(ImportStatus.Loaded, result.Status);
        Assert.Equal("2026-01-03,2026-02-01", await ScalarAsync<string>(db, "select string_agg(report_date::text, ',' order by report_date) from digital_channels"));
    }

    [Theory]
    [InlineData(new byte[0], "The file is empty.")]
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00 }, "The file is not a text CSV file (it contains binary data). Export the report as CSV and upload that.")]
    [InlineData(new byte[] { 0x44, 0x61, 0x74, 0x65, 0x2C, 0x43, 0x68, 0x61, 0x6E, 0x6E, 0x65, 0x6C, 0x2C, 0x43, 0x6F, 0x73, 0x74, 0x0A }, "The file has a header row but no data rows.")]
    public async Task Empty_binary_and_header_only_files_are_refused_with_a_clear_message(byte[] content, string message)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var error = await Assert.ThrowsAsync<ImportRejectedException>(() =>
            new CsvImporter(db.DataSource).ImportAsync(Datasets.DigitalChannels, new MemoryStream(content), "f.csv", new ImportOptions(), Tester, null, CancellationToken.None));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Reloading_the_same_file_changes_nothing_and_an_overlapping_file_updates_only_what_differs()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        const string first = "Date,Channel,Sessions,Cost\n2026-01-01,Email,10,5\n2026-01-01,Direct,20,0\n2026-01-02,Email,11,6\n";
        await ImportAsync(db, Datasets.DigitalChannels, first);
        var stamps = await ScalarAsync<string>(db, "select string_agg(updated_at::text, ',' order by id) from digital_channels");

        var again = await ImportAsync(db, Datasets.DigitalChannels, first);
        var stampsAfterReload = await ScalarAsync<string>(db, "select string_agg(updated_at::text, ',' order by id) from digital_channels");
        var overlap = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-02,Email,99\n2026-01-01,Direct,20\n2026-01-03,Email,12\n");

        Assert.Equal((0L, 0L, 3L), (again.Inserted, again.Updated, again.Unchanged));
        Assert.Equal(stamps, stampsAfterReload); // no row was even rewritten
        Assert.Equal((1L, 1L, 1L), (overlap.Inserted, overlap.Updated, overlap.Unchanged));
        // Latest upload wins for the columns it has; cost, absent from the second file, keeps its value.
        Assert.Equal((99L, 6m), (await ScalarAsync<long>(db, "select visits from digital_channels where report_date = '2026-01-02'"),
                                 await ScalarAsync<decimal>(db, "select cost from digital_channels where report_date = '2026-01-02'")));
    }

    [Fact]
    public async Task Partial_mode_loads_the_valid_rows_and_rejects_the_rest_with_reasons()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,Email,1\n2026-01-02,Email,x\n2026-01-03,Email,3\n2026-01-03,Email,4\n",
            new ImportOptions { Partial = true });

        Assert.Equal((ImportStatus.PartiallyLoaded, 4L, 1L, 3L), (result.Status, result.RowsRead, result.Inserted, result.Rejected));
        Assert.Equal([3L, 4L, 5L], result.Errors.Select(e => e.Line!.Value));
        Assert.Equal(1, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Fact]
    public async Task Reading_stops_after_the_configured_number_of_errors()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var csv = "Date,Channel,Sessions\n" + string.Concat(Enumerable.Range(1, 50).Select(i => $"2026-01-{i % 28 + 1:00},C{i},bad\n"));

        var result = await ImportAsync(db, Datasets.DigitalChannels, csv, new ImportOptions { Partial = true, MaxErrors = 5 });

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Equal(5, result.Errors.Count);
        Assert.Contains("Stopped reading after 5 errors.", result.Notes);
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Fact]
    public async Task A_first_load_into_an_empty_table_goes_straight_in_and_later_loads_go_through_staging()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var first = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,Email,1\n2026-01-02,Email,2\n");
        var second = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-02,Email,5\n2026-01-03,Email,3\n");

        Assert.Equal((2L, 0L), (first.Inserted, first.Updated));
        Assert.Contains(first.Notes, n => n.StartsWith("Initial load: 2 rows written straight into the empty digital_channels table", StringComparison.Ordinal));
        Assert.Equal((1L, 1L, 0L), (second.Inserted, second.Updated, second.Unchanged));
        Assert.DoesNotContain(second.Notes, n => n.StartsWith("Initial load", StringComparison.Ordinal));
        Assert.Equal("2026-01-01:1,2026-01-02:5,2026-01-03:3",
            await ScalarAsync<string>(db, "select string_agg(report_date || ':' || visits, ',' order by report_date) from digital_channels"));
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_change_and_changes_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,Email,1\n");

        var result = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,Email,2\n2026-01-02,Email,2\n", new ImportOptions { DryRun = true });

        Assert.Equal((1L, 1L, true), (result.Inserted, result.Updated, result.DryRun));
        Assert.Equal("1", await ScalarAsync<string>(db, "select string_agg(visits::text, ',') from digital_channels"));
    }

    [Fact]
    public async Task A_load_is_audited_as_one_batch_not_row_by_row()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,Email,1\n2026-01-02,Email,2\n");

        Assert.Equal("import:test digital_channels export.csv inserted 2",
            await ScalarAsync<string>(db, "select string_agg(actor_role || ' ' || table_name || ' ' || (changes->>'file') || ' inserted ' || (changes->>'inserted'), '|') from audit_logs"));
    }

    [Fact]
    public void The_error_report_neutralises_cells_that_a_spreadsheet_would_run_as_formulas()
    {
        var report = ErrorReport.ToCsv("f.csv", [new ImportError(2, "Channel", "=HYPERLINK(\"http://x\")", "is bad"), new ImportError(3, "Cost", "@SUM(A1)", "is bad")]);

        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("file,line,column,value,reason", lines[0]);
        Assert.Equal("f.csv,2,Channel,\"'=HYPERLINK(\"\"http://x\"\")\",is bad", lines[1]);
        Assert.Equal("f.csv,3,Cost,\"'@SUM(A1)\",is bad", lines[2]);
    }

    [Fact]
    public async Task Bad_values_unknown_campaigns_and_repeated_keys_are_reported_in_one_pass()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, "insert into marketing_campaigns (name, campaign_type, start_date) values ('Expo', 'offline', '2026-01-01')");

        var result = await ImportAsync(db, Datasets.OfflineEvents, "Campaign,Event,Date,Attendees\nExpo,A,2026-01-01,ten\nNope,B,2026-01-02,5\nExpo,C,2026-01-03,1\nExpo,C,2026-01-03,2\n");

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Equal(["2:Attendees", "3:Campaign", "4:Campaign + Event + Date", "5:Campaign + Event + Date"], result.Errors.Select(e => $"{e.Line}:{e.Column}"));
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from offline_events"));
    }

    [Fact]
    public async Task Partial_mode_in_which_every_row_is_rejected_is_refused_not_partly_loaded()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await ImportAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2026-01-01,Email,x\n2026-01-02,Email,y\n", new ImportOptions { Partial = true });

        Assert.Equal((ImportStatus.Rejected, 2L, 0L), (result.Status, result.Rejected, result.Inserted));
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }
}
