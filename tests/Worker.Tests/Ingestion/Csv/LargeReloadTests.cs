using System.Globalization;
using System.Text;
using Worker.Ingestion.Csv;
using static Worker.Tests.Ingestion.Csv.Imports;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>
/// Reloads big enough to be sampled (<see cref="CsvImporter.SampledFrom"/> rows and more): a mostly
/// unchanged file leaves equal rows out before the upsert, a mostly changed one does not; either way the
/// counts and the stored values are exact.
/// </summary>
public sealed class LargeReloadTests
{
    private const int Days = 120;
    private const int Channels = 100; // 12,000 rows

    private static string ChannelsFile(Func<int, int, long> visits, int extraChannels = 0)
    {
        var csv = new StringBuilder("Date,Channel,Sessions,Leads,Cost\n");
        for (var day = 0; day < Days; day++)
        {
            for (var channel = 0; channel < Channels + extraChannels; channel++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{new DateOnly(2025, 1, 1).AddDays(day):yyyy-MM-dd},Channel {channel},{visits(day, channel)},{channel % 7},{channel}.25\n");
            }
        }

        return csv.ToString();
    }

    [Fact]
    public async Task A_mostly_unchanged_reload_skips_the_equal_rows_and_counts_exactly()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        Assert.Equal(ImportStatus.Loaded, (await LoadAsync(db, Datasets.DigitalChannels, ChannelsFile((d, c) => d + c))).Status);

        // Ten rows change (day 5, channels 0-9) and a new channel brings one new row a day.
        var result = await LoadAsync(db, Datasets.DigitalChannels, ChannelsFile((d, c) => d == 5 && c < 10 ? 1000 + c : d + c, extraChannels: 1));

        Assert.Equal(ImportStatus.Loaded, result.Status);
        Assert.Equal((Days, 10L, Days * Channels - 10L), (result.Inserted, result.Updated, result.Unchanged));
        Assert.Contains(result.Notes, n => n.StartsWith("Most rows were unchanged", StringComparison.Ordinal));
        Assert.Equal((long)Days * (Channels + 1), await ScalarAsync<long>(db, "select count(*) from digital_channels"));
        Assert.Equal(Enumerable.Range(0, Days).Sum(d => Enumerable.Range(0, Channels + 1).Sum(c => (long)(d == 5 && c < 10 ? 1000 + c : d + c))),
            await ScalarAsync<long>(db, "select sum(visits) from digital_channels"));
        Assert.Equal(["1000", "1009"], await RowsAsync(db, "select visits from digital_channels where report_date = '2025-01-06' and channel_name in ('Channel 0', 'Channel 9') order by channel_name"));
    }

    [Fact]
    public async Task A_mostly_changed_reload_takes_the_plain_upsert_and_counts_exactly()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await LoadAsync(db, Datasets.DigitalChannels, ChannelsFile((d, c) => d + c));

        var result = await LoadAsync(db, Datasets.DigitalChannels, ChannelsFile((d, c) => c == 0 ? d : d + c + 1));

        Assert.Equal((0L, (long)Days * (Channels - 1), (long)Days), (result.Inserted, result.Updated, result.Unchanged));
        Assert.DoesNotContain(result.Notes, n => n.StartsWith("Most rows were unchanged", StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, Days).Sum(d => Enumerable.Range(0, Channels).Sum(c => (long)(c == 0 ? d : d + c + 1))),
            await ScalarAsync<long>(db, "select sum(visits) from digital_channels"));
    }

    [Fact]
    public async Task A_mostly_unchanged_reload_of_a_dataset_keyed_by_campaign_compares_through_the_campaign()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await ExecuteAsync(db, "insert into marketing_campaigns (name, campaign_type, start_date) values ('Search', 'online', '2025-01-01'), ('Brand', 'online', '2025-01-01')");
        string Keywords(int changed) =>
            "Campaign,Keyword,Impressions,Clicks,Start date,End date\n" + string.Concat(Enumerable.Range(0, 12_000).Select(i =>
                string.Create(CultureInfo.InvariantCulture, $"{(i % 2 == 0 ? "Search" : "Brand")},keyword {i},{(i < changed ? 5000 + i : i)},{i % 10},2025-09-01,2025-09-30\n")));
        await LoadAsync(db, Datasets.SeoSemCampaigns, Keywords(changed: 0));

        var result = await LoadAsync(db, Datasets.SeoSemCampaigns, Keywords(changed: 3));

        Assert.Equal((0L, 3L, 11_997L), (result.Inserted, result.Updated, result.Unchanged));
        Assert.Contains(result.Notes, n => n.StartsWith("Most rows were unchanged", StringComparison.Ordinal));
        Assert.Equal(["keyword 0|5000|Search", "keyword 1|5001|Brand", "keyword 2|5002|Search", "keyword 3|3|Brand"], await RowsAsync(db, """
            select s.keyword, s.impressions, c.name from seo_sem_campaigns s join marketing_campaigns c on c.id = s.campaign_id
            where s.keyword in ('keyword 0', 'keyword 1', 'keyword 2', 'keyword 3') order by s.keyword
            """));
    }
}
