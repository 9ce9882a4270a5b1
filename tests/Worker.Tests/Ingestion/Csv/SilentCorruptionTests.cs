using Worker.Ingestion.Csv;
using static Worker.Tests.Ingestion.Csv.Imports;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>
/// Files that once loaded with wrong numbers and no warning (issue #8). Each test reads back what the
/// table holds, through both write paths where they differ: straight into an empty table, and through
/// staging and the upsert.
/// </summary>
public sealed class SilentCorruptionTests
{
    private const string Campaigns = "insert into marketing_campaigns (name, campaign_type, start_date) values ('Expo', 'offline', '2025-01-01'), ('Search', 'online', '2025-01-01')";

    /// <summary>A row already in the table sends the load through staging instead of straight in.</summary>
    private const string OtherDay = "insert into digital_channels (report_date, channel_name, visits) values ('2000-01-01', 'Other', 1)";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Empty_dash_and_not_set_cells_of_whole_number_columns_are_stored_as_zero(bool throughStaging)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        if (throughStaging)
        {
            await ExecuteAsync(db, OtherDay);
        }

        var result = await LoadAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions,Leads,Cost\n2025-08-01,A,--,,1.00\n2025-08-01,B,-,(not set),--\n");

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal(["A|0|0|1.00", "B|0|0|0.00"],
            await RowsAsync(db, "select channel_name, visits, leads, cost::text from digital_channels where report_date = '2025-08-01' order by channel_name"));
    }

    /// <summary>Every dataset column that is not part of the key, with the cells real exports write for its kind.</summary>
    public static TheoryData<string, string, bool> EveryColumn()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var dataset in Datasets.All)
        {
            foreach (var column in dataset.Columns.Where(c => !dataset.IsKeyColumn(c) && !c.IsCampaignReference))
            {
                data.Add(dataset.Name, column.Column, false);
                data.Add(dataset.Name, column.Column, true);
            }
        }

        return data;
    }

    private static (string Cell, string? Stored)[] CellsFor(DatasetColumn column) => column.Kind switch
    {
        FieldKind.Count => [("", "0"), ("-", "0"), ("--", "0"), ("(not set)", "0"), ("1234", "1234"), ("1,234", "1234"), ("1 234", "1234"), ("12.0", "12"), ("$1,234", "1234")],
        FieldKind.Decimal or FieldKind.Money => [("", "0.00"), ("-", "0.00"), ("--", "0.00"), ("(not set)", "0.00"), ("1234.5", "1234.50"), ("1,234.56", "1234.56"),
            ("$1,234.56", "1234.56"), ("EUR 12", "12.00"), ("1 234.5", "1234.50"), ("0.25", "0.25")],
        FieldKind.Fraction => [("", null), ("-", null), ("(not set)", null), ("27.61%", "0.276100"), ("27.61", "0.276100"), ("0.2761", "0.276100"), ("100%", "1.000000")],
        FieldKind.Seconds => [("", null), ("--", null), ("00:02:15", "135.000"), ("135.5", "135.500"), ("2:15", "135.000"), ("1,234", "1234.000")],
        FieldKind.Text when column.AllowedValues is not null => [("Blog", "blog"), ("case study", "case_study"), ("white-paper", null), ("Video", "video")],
        FieldKind.Text => [("", null), ("-", "-"), ("(not set)", "(not set)"), ("Berlin, Halle 3", "Berlin, Halle 3")],
        _ => throw new InvalidOperationException($"No cells for {column.Kind}."),
    };

    [Theory]
    [MemberData(nameof(EveryColumn))]
    public async Task Every_kind_of_cell_is_stored_as_its_column_type_in_every_column(string datasetName, string columnName, bool throughStaging)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, Campaigns);
        var dataset = Datasets.Find(datasetName)!;
        var column = dataset.Column(columnName);
        var cells = CellsFor(column).Where(c => c.Stored is not null || column.AllowedValues is null).ToArray();
        var keyColumns = dataset.Columns.Where(c => c.Required && c != column).ToList();
        var header = string.Join(",", keyColumns.Select(c => c.DisplayName).Append(column.Column));
        var rows = cells.Select((cell, i) => string.Join(",", keyColumns.Select(k => KeyCell(k, i)).Append(Quote(cell.Cell))));
        if (throughStaging)
        {
            var first = await LoadAsync(db, dataset, header + "\n" + string.Join(",", keyColumns.Select(k => KeyCell(k, 99)).Append(Quote(cells[^1].Cell))) + "\n");
            Assert.True(first.Succeeded, Describe(first));
        }

        var result = await LoadAsync(db, dataset, header + "\n" + string.Join("\n", rows) + "\n");

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        if (!keyColumns.Any(k => k.IsCampaignReference))
        {
            Assert.Equal(!throughStaging, result.Notes.Any(n => n.StartsWith("Initial load", StringComparison.Ordinal)));
        }

        var date = dataset.Columns.First(c => c.Required && c.Kind == FieldKind.Date).Column;
        var stored = await RowsAsync(db, $"select coalesce({columnName}::text, '∅') from {dataset.Table} where {date} < '2026-04-01' order by {date}");
        Assert.Equal(cells.Select(c => c.Stored ?? "∅"), stored);
    }

    private static string KeyCell(DatasetColumn key, int row) => key switch
    {
        { IsCampaignReference: true } => "Expo",
        { Kind: FieldKind.Date } => new DateOnly(2026, 1, 1).AddDays(row).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        { AllowedValues: not null } => "blog",
        _ => "Key",
    };

    private static string Quote(string cell) => "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [Fact]
    public async Task Values_that_would_not_fit_their_column_are_errors_not_crashes()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, Campaigns);

        var result = await LoadAsync(db, Datasets.OfflineEvents, "Campaign,Event,Date,Attendees,Leads\nExpo,Big,2026-01-01,3000000000,1\nExpo,Small,2026-01-02,1,1\n");
        var money = await LoadAsync(db, Datasets.DigitalChannels, "Date,Channel,Cost\n2026-01-01,A,1000000000000\n");

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Equal("f:2: column 'Attendees' value '3000000000' is too large (at most 2,147,483,647)", Assert.Single(result.Errors).Describe("f"));
        Assert.Equal("f:2: column 'Cost' value '1000000000000' is too large (at most 999,999,999,999.99)", Assert.Single(money.Errors).Describe("f"));
        Assert.Equal(0, await ScalarAsync<long>(db, "select (select count(*) from offline_events) + (select count(*) from digital_channels)"));
    }

    [Fact]
    public async Task Integer_columns_load_straight_into_an_empty_table()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        // content_pieces.leads_generated is an integer column; without a campaign column the load goes straight in.
        var result = await LoadAsync(db, Datasets.ContentPieces, "Title,Type,Publish date,Impressions,Leads\nLaunch,blog,2026-01-05,42000,120\n");

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Contains(result.Notes, n => n.StartsWith("Initial load", StringComparison.Ordinal));
        Assert.Equal(["42000|120"], await RowsAsync(db, "select impressions, leads_generated from content_pieces"));
    }

    [Theory]
    [InlineData("2025-08-01,Email,5\n2025-08-01,Email,7\n")] // the first equals the stored row, the second would silently win
    [InlineData("2025-08-01,Email,7\n2025-08-01,Email,5\n")]
    [InlineData("2025-08-01,Email,5\n2025-08-01,Email,5\n")] // the same line twice
    public async Task A_key_repeated_in_the_file_is_refused_whatever_the_table_holds(string rows)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, "insert into digital_channels (report_date, channel_name, visits) values ('2025-08-01', 'Email', 5)");

        var result = await LoadAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n2025-08-02,Email,1\n" + rows);

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Equal([3L, 4L], result.Errors.Select(e => e.Line!.Value));
        Assert.All(result.Errors, e => Assert.Equal("2025-08-01 / Email", e.Value));
        Assert.Equal(["2025-08-01|5"], await RowsAsync(db, "select report_date::text, visits from digital_channels order by report_date"));
    }

    [Fact]
    public async Task Rows_sharing_a_key_are_summed_when_asked_and_the_result_says_how_many_were_combined()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, Campaigns);
        await ExecuteAsync(db, "insert into seo_sem_campaigns (campaign_id, keyword, impressions, start_date, end_date) select id, 'crm', 1, '2025-09-01', '2025-09-30' from marketing_campaigns where name = 'Search'");
        // A Google Ads keyword report: the same keyword in two match types and two ad groups.
        const string report = """
            Campaign,Ad group,Keyword,Match type,Impr.,Clicks,Cost,Conv.,Start date,End date
            Search,CRM,crm,Exact,"3,847",120,$240.50,3,2025-09-01,2025-09-30
            Search,CRM,crm,Phrase,1000,30,$60.00,1.5,2025-09-01,2025-09-30
            Search,CRM Broad,crm,Broad,153,10,$9.50,0,2025-09-01,2025-09-30
            Search,KPI,kpi tool,Exact,500,25,$50.00,2,2025-09-01,2025-09-30
            """;

        var refused = await LoadAsync(db, Datasets.SeoSemCampaigns, report);
        var summed = await LoadAsync(db, Datasets.SeoSemCampaigns, report, new ImportOptions { SumDuplicates = true });

        Assert.Equal(ImportStatus.Rejected, refused.Status);
        Assert.Equal([2L, 3L, 4L], refused.Errors.Select(e => e.Line!.Value));
        Assert.True(summed.Status == ImportStatus.Loaded, Describe(summed));
        Assert.Equal((2L, 1L, 1L, 1L), (summed.Combined, summed.Inserted, summed.Updated, summed.Unchanged + summed.Inserted));
        Assert.Contains(summed.Notes, n => n.Contains("3 rows with 1 repeated key(s) became 1 rows, 2 row(s) combined (e.g. lines 2, 3, 4:", StringComparison.Ordinal));
        Assert.Equal(["crm|5000|160|310.00|4.50", "kpi tool|500|25|50.00|2.00"],
            await RowsAsync(db, "select keyword, impressions, clicks, cost::text, conversions::text from seo_sem_campaigns order by keyword"));
    }

    [Fact]
    public async Task Summing_is_refused_for_figures_that_do_not_add_up()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var message = await RefusalAsync(db, Datasets.WebsiteAnalytics, "Date,Sessions,Users,Bounce rate\n2026-01-01,5,4,20%\n2026-01-01,5,4,20%\n", new ImportOptions { SumDuplicates = true });

        Assert.Equal("Rows sharing a key can be summed only when every column adds up; 'Users', 'Bounce rate' do(es) not. Remove those columns, or upload without summing duplicates.", message);
    }

    [Fact]
    public async Task A_row_covering_a_period_is_refused_for_a_daily_dataset_with_how_to_export_by_day()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, "insert into digital_channels (report_date, channel_name, visits, cost) values ('2025-09-01', 'Meta', 10, 12.5)");
        // Meta Ads Manager's default export: one row per campaign for the whole month.
        const string monthly = """
            Reporting starts,Reporting ends,Campaign name,Results,Amount spent (USD),Impressions
            2025-09-01,2025-09-30,Autumn leads,40,1200.00,50000
            2025-09-01,2025-09-30,Retargeting,12,300.00,9000
            """;

        var result = await LoadAsync(db, Datasets.DigitalChannels, monthly, new ImportOptions { Set = new Dictionary<string, string> { ["channel_name"] = "Meta" } });

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.Equal(
            "f:2: column 'Reporting ends' value '2025-09-30' is not the row's Reporting starts (2025-09-01): the row covers 2025-09-01 to 2025-09-30, and digital_channels takes one row per day; " +
            "export the report broken down by day (Meta Ads Manager: Breakdown → By time → Day; Google Ads: Segment → Time → Day; LinkedIn Campaign Manager: Time breakdown → Daily)",
            result.Errors[0].Describe("f"));
        Assert.Equal(["2025-09-01|10|12.50"], await RowsAsync(db, "select report_date::text, visits, cost::text from digital_channels"));
    }

    [Fact]
    public async Task A_daily_export_with_equal_start_and_end_columns_loads_by_its_day()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        // Broken down by day, Meta writes "Day" as well as "Reporting starts" and "Reporting ends".
        const string daily = """
            Day,Reporting starts,Reporting ends,Results,Amount spent (USD)
            2025-09-01,2025-09-01,2025-09-01,4,120.00
            2025-09-02,2025-09-02,2025-09-02,,80.50
            """;

        var result = await LoadAsync(db, Datasets.DigitalChannels, daily, new ImportOptions { Set = new Dictionary<string, string> { ["channel_name"] = "Meta" } });

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Contains("Columns 'Day' and 'Reporting starts' both mean report_date: took 'Day', ignored 'Reporting starts'.", result.Notes);
        Assert.Equal(["2025-09-01|Meta|4.00|120.00", "2025-09-02|Meta|0.00|80.50"],
            await RowsAsync(db, "select report_date::text, channel_name, conversions::text, cost::text from digital_channels order by report_date"));
    }

    [Fact]
    public async Task A_file_with_none_of_the_datasets_figures_is_refused_listing_what_it_found_and_what_is_accepted()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        // Search Console's Dates.csv offered as website analytics.
        var message = await RefusalAsync(db, Datasets.WebsiteAnalytics, "Date,Clicks,Impressions,CTR,Position\n2025-09-01,120,4000,3%,8.2\n2025-09-02,110,3900,2.8%,8.4\n");

        Assert.StartsWith("The file has none of website_analytics's figures, so it would load nothing but empty rows. Found: 'Date', 'Clicks', 'Impressions', 'CTR', 'Position'. " +
            "website_analytics takes: pageviews ('views', 'page views', 'pageviews', 'screen page views'); sessions ('sessions', 'visits');", message);
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from website_analytics"));
    }

    [Theory]
    [InlineData("Date;Channel;Cost\n2026-01-01;A;1234,50\n2026-01-02;A;12\n", "1234.50,12.00")]
    [InlineData("Date;Channel;Cost\n2026-01-01;A;\"1.234,50 €\"\n2026-01-02;A;1.000\n", "1234.50,1000.00")]
    [InlineData("Date;Channel;Cost\n2026-01-01;A;12\n2026-01-02;A;7\n", "12.00,7.00")]
    [InlineData("Date,Channel,Cost\n2026-01-01,A,\"1,234.50\"\n2026-01-02,A,\"1,000\"\n", "1234.50,1000.00")]
    [InlineData("Date\tChannel\tCost\n2026-01-01\tA\t1,234\n2026-01-02\tA\t5\n", "1234.00,5.00")]
    public async Task The_decimal_mark_is_inferred_from_the_file(string csv, string stored)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadAsync(db, Datasets.DigitalChannels, csv);

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal(stored, await ScalarAsync<string>(db, "select string_agg(cost::text, ',' order by report_date) from digital_channels"));
    }

    [Fact]
    public async Task A_decimal_comma_is_never_read_as_a_thousands_separator()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        // The sample (the first 500 rows) proves a decimal point; a later "1234,50" is an error, not 123450.
        var csv = "Date,Channel,Cost\n" + string.Concat(Enumerable.Range(0, 600).Select(i => $"2026-01-01,C{i},12.50\n")) + "2026-01-02,A,\"1234,50\"\n";
        var result = await LoadAsync(db, Datasets.DigitalChannels, csv);
        var declared = await LoadAsync(db, Datasets.DigitalChannels, "Date;Channel;Cost\n2026-01-01;A;1234,50\n", new ImportOptions { DecimalComma = false });

        Assert.Equal(ImportStatus.Rejected, result.Status);
        Assert.StartsWith("f:602: column 'Cost' value '1234,50' is not a number with a decimal point (',' separates groups of three digits, '.' the decimals)", Assert.Single(result.Errors).Describe("f"));
        Assert.Equal(ImportStatus.Rejected, declared.Status);
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Theory]
    [InlineData("Date;Channel;Cost\n2026-01-01;A;1,234\n2026-01-02;A;5\n",
        "Column 'Cost' value '1,234' (line 2) could be 1234 or 1.234, and no other number in the file tells which: declare the file's decimal mark")]
    [InlineData("Date;Channel;Cost;Sessions\n2026-01-01;A;1234,50;1,5\n2026-01-02;A;1,234.50;3\n",
        "The file writes numbers both with a decimal comma (column 'Cost' value '1234,50', line 2) and with a decimal point (column 'Cost' value '1,234.50', line 3)")]
    public async Task A_file_whose_numbers_read_two_ways_is_refused_naming_the_column_and_how_to_declare(string csv, string message)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        Assert.StartsWith(message, await RefusalAsync(db, Datasets.DigitalChannels, csv));
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Theory]
    [InlineData("m/d/yyyy", "'m'")]
    [InlineData("dd/MM/yyyy HH:mm", "'HH'")]
    [InlineData("dd/MM", "the year exactly once")]
    public async Task A_declared_date_format_with_other_than_day_month_and_year_parts_is_refused_with_an_example(string format, string named)
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var message = await RefusalAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n9/13/2025,A,1\n", new ImportOptions { DateFormat = format });

        Assert.Contains(named, message, StringComparison.Ordinal);
        Assert.Contains("e.g. dd/MM/yyyy, M/d/yyyy", message, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Fact]
    public async Task A_declared_month_first_format_keeps_September_in_September()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var result = await LoadAsync(db, Datasets.DigitalChannels, "Date,Channel,Sessions\n9/1/2025,A,1\n9/13/2025,A,2\n", new ImportOptions { DateFormat = "M/d/yyyy" });

        Assert.True(result.Status == ImportStatus.Loaded, Describe(result));
        Assert.Equal("2025-09-01,2025-09-13", await ScalarAsync<string>(db, "select string_agg(report_date::text, ',' order by report_date) from digital_channels"));
    }
}
