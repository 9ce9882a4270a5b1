using System.Text;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>
/// How an export's layout is understood, before any value is checked or loaded: the preamble, the
/// header row, which header feeds which column, totals, footers, the report period, the decimal mark
/// and the day/month order. No database: these are the decisions <see cref="ExportLayout"/> makes alone.
/// The whole-file import tests (RealLayoutTests) show the same layouts end to end with stored sums.
/// </summary>
public sealed class ExportLayoutTests
{
    private static (ExportLayout Layout, List<(string[] Record, long Line)> Rows) Read(Dataset dataset, string csv, ImportOptions? options = null)
    {
        var source = CsvSource.Open(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        var layout = ExportLayout.Read(dataset, source, options ?? new ImportOptions());
        var rows = new List<(string[], long)>();
        while (layout.Next(out var record, out var line))
        {
            rows.Add((record, line));
        }

        return (layout, rows);
    }

    private static string Refusal(Dataset dataset, string csv, ImportOptions? options = null) =>
        Assert.Throws<ImportRejectedException>(() => Read(dataset, csv, options)).Message;

    private static string Mapped(ExportLayout layout, string column) =>
        layout.Columns.Single(c => c.Column.Column == column).Header;

    [Fact]
    public void A_GA4_preamble_of_comment_lines_is_skipped_and_the_header_found_after_it()
    {
        var (layout, rows) = Read(Datasets.WebsiteAnalytics, """
            # ----------------------------------------
            # Pages and screens
            # Account: Example
            # Start date: 20250901
            # End date: 20250902
            # ----------------------------------------
            Date,Views,Sessions,Total users
            20250901,120,40,30
            20250902,130,41,31
            """);

        Assert.Equal(["Date", "Views", "Sessions", "Total users"], layout.Columns.Select(c => c.Header));
        Assert.Equal([8L, 9L], rows.Select(r => r.Line));
    }

    [Fact]
    public void Title_lines_before_the_header_are_skipped_and_counted_in_a_note()
    {
        var (layout, rows) = Read(Datasets.DigitalChannels, """
            Channel performance report
            "September 1, 2025 - September 2, 2025"
            Day,Channel,Sessions
            2025-09-01,Search,5
            """);

        Assert.Single(rows);
        Assert.Contains(layout.Notes, n => n.StartsWith("Skipped 2 line(s) before the header row (line 3)", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_headers_for_one_column_take_the_earlier_alias_and_say_which_was_ignored()
    {
        var (layout, _) = Read(Datasets.DigitalChannels, """
            Session default channel group,Date,Engaged sessions,Sessions
            Organic Search,20250901,30,50
            """);

        Assert.Equal("Sessions", Mapped(layout, "visits"));
        Assert.Contains("Columns 'Sessions' and 'Engaged sessions' both mean visits: took 'Sessions', ignored 'Engaged sessions'.", layout.Notes);
    }

    [Fact]
    public void A_header_with_a_qualifier_or_currency_code_matches_its_stem_when_only_one_column_has_it()
    {
        var (layout, _) = Read(Datasets.DigitalChannels, """
            Day,Session primary channel group (Default Channel Group),Amount spent (CHF),Network (with search partners)
            2025-09-01,Paid Search,12.50,Google
            """);

        Assert.Equal("Amount spent (CHF)", Mapped(layout, "cost"));
        Assert.Equal("Session primary channel group (Default Channel Group)", Mapped(layout, "channel_name"));
        Assert.Contains(layout.Notes, n => n.Contains("Network (with search partners)", StringComparison.Ordinal) && n.StartsWith("Ignored columns", StringComparison.Ordinal));
    }

    [Fact]
    public void Totals_rows_are_skipped_wherever_they_are_labelled_or_not()
    {
        var (layout, rows) = Read(Datasets.DigitalChannels, """
            Date,Channel,Sessions,Leads
            ,,176778,2217,Grand total
            2025-09-01,Search,10,1
            ,,"56,349",20
            2025-09-02,Search,11,2
            Total: Search,,21,3
            Total: all channels,,21,3
            """);

        Assert.Equal(["2025-09-01", "2025-09-02"], rows.Select(r => r.Record[0]));
        Assert.Equal(4, layout.TotalsRows);
    }

    [Fact]
    public void After_the_data_block_a_copyright_line_and_a_second_table_are_a_footer_not_errors()
    {
        var (layout, rows) = Read(Datasets.DigitalChannels, """
            Date,Channel,Sessions
            2025-09-01,Search,10
            2025-09-02,Search,11

            Day Index,Users
            2025-09-01,4
            "©2025 Microsoft Corporation. All rights reserved."
            """);

        Assert.Equal(2, rows.Count);
        Assert.Equal(3, layout.FooterLines);
        Assert.Equal(["Ignored 3 line(s) after the data, from line 5 ('Day Index,Users')."], layout.ClosingNotes());
    }

    [Fact]
    public void A_lone_notice_right_after_the_rows_ends_the_data_too()
    {
        var (layout, rows) = Read(Datasets.DigitalChannels, """
            Gregorian date,Channel,Clicks,Sessions
            2025-09-01,Search,3,10
            "©2025 Microsoft Corporation. All rights reserved."
            """);

        Assert.Single(rows);
        Assert.Equal(1, layout.FooterLines);
    }

    [Fact]
    public void Missing_required_columns_are_listed_with_the_headers_found_and_how_to_give_a_value()
    {
        var message = Refusal(Datasets.DigitalChannels, """
            Day,Impressions,Clicks,Total Spent
            2025-09-01,1000,20,5.00
            """);

        Assert.StartsWith("Missing required column(s): channel_name (e.g. 'channel', 'session default channel group', 'session primary channel group').", message, StringComparison.Ordinal);
        Assert.Contains("--set channel_name=LinkedIn", message, StringComparison.Ordinal);
        Assert.Contains("Found: ", message, StringComparison.Ordinal);
        Assert.Contains("Total Spent", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_for_the_whole_upload_fills_a_missing_column_and_is_parsed_once()
    {
        var (layout, _) = Read(Datasets.DigitalChannels, """
            Start Date (in UTC),Impressions,Clicks,Total Spent
            2025-09-01,1000,20,5.00
            """, new ImportOptions { Set = new Dictionary<string, string> { ["channel_name"] = "LinkedIn" } });

        var channel = layout.Columns.Single(c => c.Column.Column == "channel_name");
        Assert.True(channel.IsConstant);
        Assert.Equal("LinkedIn", channel.Constant);
        Assert.Contains("channel_name = 'LinkedIn' for every row, as given.", layout.Notes);
    }

    [Fact]
    public void A_value_for_a_column_the_file_already_has_or_the_dataset_lacks_is_refused()
    {
        const string csv = "Date,Channel,Sessions\n2025-09-01,Search,1\n";

        Assert.StartsWith("The file has a 'Channel' column, and a value for channel_name was also given",
            Refusal(Datasets.DigitalChannels, csv, new ImportOptions { Set = new Dictionary<string, string> { ["channel_name"] = "X" } }), StringComparison.Ordinal);
        Assert.StartsWith("--set colour=…: digital_channels has no column 'colour'",
            Refusal(Datasets.DigitalChannels, csv, new ImportOptions { Set = new Dictionary<string, string> { ["colour"] = "red" } }), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_keys_but_none_of_the_figures_is_refused_naming_what_the_dataset_takes()
    {
        var message = Refusal(Datasets.WebsiteAnalytics, """
            Date,Clicks,Impressions,CTR,Position
            2025-09-01,10,200,5%,7.2
            """);

        Assert.StartsWith("The file has none of website_analytics's figures, so it would load nothing but empty rows.", message, StringComparison.Ordinal);
        Assert.Contains("pageviews ('views'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_period_in_the_preamble_fills_a_periodic_dataset_whose_rows_have_none()
    {
        var (layout, _) = Read(Datasets.SeoSemCampaigns, """
            Keyword report
            "September 1, 2025 - September 30, 2025"
            Keyword,Campaign,Impr.,Clicks,Cost
            running shoes,Autumn,1000,20,5.00
            """);

        Assert.Equal(new DateOnly(2025, 9, 1), layout.Columns.Single(c => c.Column.Column == "start_date").Constant);
        Assert.Equal(new DateOnly(2025, 9, 30), layout.Columns.Single(c => c.Column.Column == "end_date").Constant);
        Assert.Contains(layout.Notes, n => n.StartsWith("Every row covers the report period 2025-09-01 to 2025-09-30, from line 2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_daily_dataset_with_a_reporting_end_column_keeps_it_as_the_period_end()
    {
        var (layout, _) = Read(Datasets.DigitalChannels, """
            Reporting starts,Reporting ends,Platform,Amount spent (EUR),Leads
            2025-09-01,2025-09-01,Facebook,3.10,2
            """);

        Assert.Equal("Reporting starts", Mapped(layout, "report_date"));
        Assert.Equal("Reporting ends", layout.PeriodEnd?.Header);
    }

    [Fact]
    public void A_semicolon_file_with_decimal_commas_is_read_with_a_decimal_comma()
    {
        var (layout, _) = Read(Datasets.DigitalChannels, "Date;Channel;Sessions;Cost\n2025-09-01;Search;10;1234,50\n");

        Assert.True(layout.Parser.DecimalComma);
        Assert.Contains("Numbers read with a decimal comma (e.g. '1234,50' in 'Cost', line 2).", layout.Notes);
    }

    [Theory]
    [InlineData("1,234", '?')]
    [InlineData("1234,50", ',')]
    [InlineData("1.234,50", ',')]
    [InlineData("1,234.50", '.')]
    [InlineData("1,234,567", '.')]
    [InlineData("0,123", ',')]
    [InlineData("12,5", ',')]
    [InlineData("€ 1 234,5", ',')]
    [InlineData("42", '\0')]
    public void A_number_proves_its_decimal_mark_only_when_grouping_is_impossible(string value, char mark) =>
        Assert.Equal(mark, ExportLayout.DecimalMark(value));

    [Fact]
    public void A_semicolon_file_whose_numbers_read_either_way_is_refused_naming_the_column_and_the_two_readings()
    {
        var message = Refusal(Datasets.DigitalChannels, "Date;Channel;Cost\n2025-09-01;Search;1,234\n");

        Assert.StartsWith("Column 'Cost' value '1,234' (line 2) could be 1234 or 1.234", message, StringComparison.Ordinal);
        Assert.Contains("--decimal-comma", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_decimal_marks_in_one_file_are_refused()
    {
        var message = Refusal(Datasets.DigitalChannels, "Date,Channel,Cost,Conversions\n2025-09-01,Search,\"1234,50\",2.5\n");

        Assert.StartsWith("The file writes numbers both with a decimal comma (column 'Cost' value '1234,50', line 2) and with a decimal point", message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_unambiguous_US_date_settles_the_day_month_order_of_the_whole_file()
    {
        var (layout, _) = Read(Datasets.DigitalChannels, "Day,Channel,Sessions\n9/1/2025,Search,1\n9/13/2025,Search,2\n");

        Assert.Contains("Dates read month first (M/d/yyyy), as '9/13/2025' (line 3) shows.", layout.Notes);
        Assert.True(layout.Parser.TryParse(Datasets.DigitalChannels.Column("report_date"), "9/1/2025", out var date, out _));
        Assert.Equal(new DateOnly(2025, 9, 1), date);
    }

    [Fact]
    public void A_file_whose_every_date_reads_either_way_is_refused_naming_both_readings()
    {
        var message = Refusal(Datasets.DigitalChannels, "Day,Channel,Sessions\n9/1/2025,Search,1\n9/2/2025,Search,2\n");

        Assert.Equal(
            "Column 'Day' value '9/1/2025' (line 2) could be 9 January 2025 (d/M/yyyy) or 1 September 2025 (M/d/yyyy), and no date in the file tells which: " +
            "declare the date format (--date-format=d/M/yyyy or --date-format=M/d/yyyy; API dateFormat=…; the upload page's date format field).", message);
    }

    [Fact]
    public void A_declared_date_format_wins_over_the_sample()
    {
        var (layout, _) = Read(Datasets.DigitalChannels, "Day,Channel,Sessions\n9/1/2025,Search,1\n", new ImportOptions { DateFormat = "d/M/yyyy" });

        Assert.True(layout.Parser.TryParse(Datasets.DigitalChannels.Column("report_date"), "9/1/2025", out var date, out _));
        Assert.Equal(new DateOnly(2025, 1, 9), date);
    }

    [Fact]
    public void Day_first_and_month_first_dates_in_one_file_are_refused()
    {
        var message = Refusal(Datasets.DigitalChannels, "Day,Channel,Sessions\n13/9/2025,Search,1\n9/14/2025,Search,2\n");

        Assert.StartsWith("The file writes dates day first ('13/9/2025' in 'Day', line 2) and month first ('9/14/2025' in 'Day', line 3)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_blank_lines_has_no_rows()
    {
        Assert.Equal("The file has no rows.", Refusal(Datasets.DigitalChannels, "\n\n,,\n"));
    }
}
