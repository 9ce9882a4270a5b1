using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Worker.Ingestion.Ga4;

/// <summary>
/// One report group a sync job reads: the GA4 requests of a slice, the staging table their rows are
/// copied into, and the merge (an embedded .sql file) that writes them to the table. Each request orders
/// by every one of its dimensions, so pages are stable.
/// </summary>
public sealed class Ga4Report
{
    private readonly Func<string, IReadOnlyList<(string[] Dimensions, string[] Metrics)>> _requests;
    private readonly Action<int, Row, int[], NpgsqlBinaryImporter> _write;

    private Ga4Report(string name, string table, string stageColumns, bool stageRowsAreTableRows,
        Func<string, IReadOnlyList<(string[] Dimensions, string[] Metrics)>> requests, Action<int, Row, int[], NpgsqlBinaryImporter> write)
    {
        Name = name;
        Table = table;
        StageTableSql = $"create temporary table ga4_stage ({stageColumns}) on commit drop";
        var columns = string.Join(", ", stageColumns.Split(',').Select(c => c.Trim().Split(' ')[0]));
        CopySql = $"copy ga4_stage ({columns}) from stdin (format binary)";
        BackfillCopySql = stageRowsAreTableRows ? $"copy public.{table} (id, source, {columns}) from stdin (format binary)" : null;
        DateColumn = columns.Split(',')[0];
        HoldsRowsSql = $"select exists (select 1 from public.{table} where source = @source and {DateColumn} between @from and @to)";
        _requests = requests;
        _write = write;
        MergeSql = Database.SqlScript.FromResource($"Ingestion/Ga4/Merge.{name}.sql").Text;
    }

    /// <summary>website, channels or attribution (the job's "report" parameter).</summary>
    public string Name { get; }

    public string Table { get; }

    public string StageTableSql { get; }

    /// <summary>The day column of the table and of the staging table (the first staged column).</summary>
    public string DateColumn { get; }

    /// <summary>Whether the table holds rows of @source between @from and @to.</summary>
    public string HoldsRowsSql { get; }

    public string CopySql { get; }

    /// <summary>
    /// Copies a page straight into the table as the source's rows (id and source first, then the staged
    /// columns), for a slice whose range holds no rows of the source yet; null when a staged row is not a
    /// table row (attribution adds its two requests' rows up).
    /// </summary>
    public string? BackfillCopySql { get; }

    /// <summary>One statement; parameters @source, @from, @to, @runId, @propertyId; returns inserted, updated, deleted, revisions, days_revised.</summary>
    public string MergeSql { get; }

    public static readonly Ga4Report Website = new("website", "website_analytics",
        "date date not null, pageviews bigint, sessions bigint, users bigint, bounce_rate numeric, avg_session_duration numeric", true,
        _ => [(["date"], ["screenPageViews", "sessions", "totalUsers", "bounceRate", "averageSessionDuration"])],
        (_, row, m, copy) =>
        {
            copy.Write(Day(row.DimensionValues[0].Value), NpgsqlDbType.Date);
            copy.Write(Count(row, m[0]), NpgsqlDbType.Bigint);
            copy.Write(Count(row, m[1]), NpgsqlDbType.Bigint);
            copy.Write(Count(row, m[2]), NpgsqlDbType.Bigint);
            copy.Write(Math.Clamp(Math.Round(Number(row, m[3]), 6), 0m, 1m), NpgsqlDbType.Numeric);
            copy.Write(Math.Round(Number(row, m[4]), 3), NpgsqlDbType.Numeric);
        });

    public static readonly Ga4Report Channels = new("channels", "digital_channels",
        "report_date date not null, channel_name text not null, visits bigint, conversions numeric, leads bigint, cost numeric", true,
        leadEvent => [(["date", "sessionDefaultChannelGroup"], ["sessions", "keyEvents", "keyEvents:" + leadEvent, "advertiserAdCost"])],
        (_, row, m, copy) =>
        {
            copy.Write(Day(row.DimensionValues[0].Value), NpgsqlDbType.Date);
            copy.Write(Channel(row.DimensionValues[1].Value), NpgsqlDbType.Text);
            copy.Write(Count(row, m[0]), NpgsqlDbType.Bigint);
            copy.Write(Math.Round(Number(row, m[1]), 2), NpgsqlDbType.Numeric);
            copy.Write(Count(row, m[2]), NpgsqlDbType.Bigint);
            copy.Write(Math.Round(Number(row, m[3]), 2), NpgsqlDbType.Numeric);
        });

    /// <summary>First touch: key events by the user's first channel; last touch: by the session's channel. Two requests, one batch.</summary>
    public static readonly Ga4Report Attribution = new("attribution", "marketing_attribution",
        "report_date date not null, channel text not null, first_touch numeric not null, last_touch numeric not null", false,
        _ => [(["date", "firstUserDefaultChannelGroup"], ["keyEvents"]), (["date", "sessionDefaultChannelGroup"], ["keyEvents"])],
        (request, row, m, copy) =>
        {
            var value = Math.Round(Number(row, m[0]), 2);
            copy.Write(Day(row.DimensionValues[0].Value), NpgsqlDbType.Date);
            copy.Write(Channel(row.DimensionValues[1].Value), NpgsqlDbType.Text);
            copy.Write(request == 0 ? value : 0m, NpgsqlDbType.Numeric);
            copy.Write(request == 1 ? value : 0m, NpgsqlDbType.Numeric);
        });

    public static readonly IReadOnlyList<Ga4Report> All = [Website, Channels, Attribution];

    public static Ga4Report? Find(string name) => All.FirstOrDefault(r => r.Name == name);

    /// <summary>The slice's requests, without paging (the caller sets offset and limit).</summary>
    public IReadOnlyList<RunReportRequest> Requests(string propertyId, DateOnly from, DateOnly to, string leadEvent) =>
        _requests(leadEvent).Select(r => new RunReportRequest
        {
            Property = "properties/" + propertyId,
            Dimensions = r.Dimensions.Select(d => new Dimension(d)).ToList(),
            Metrics = r.Metrics.Select(m => new Metric(m)).ToList(),
            DateRanges = [new DateRange(from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))],
            OrderBys = r.Dimensions.Select(d => new OrderBy { Dimension = new DimensionOrderBy(d) }).ToList(),
            ReturnPropertyQuota = true,
        }).ToList();

    /// <summary>
    /// Copies one page's rows into the staging table (<see cref="CopySql"/>), or with <paramref name="source"/>
    /// into the table (<see cref="BackfillCopySql"/>): each row then gets a new UUIDv7 id, time-ordered, so
    /// the primary key index is appended to rather than split at random places.
    /// </summary>
    public void Write(int requestIndex, RunReportRequest request, RunReportResponse page, NpgsqlBinaryImporter copy, string? source = null)
    {
        // Values come in header order; find each requested metric's position once per page.
        var positions = request.Metrics.Select(m => IndexOf(page.MetricHeaders, m.Name)).ToArray();
        foreach (var row in page.Rows)
        {
            copy.StartRow();
            if (source is not null)
            {
                copy.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                copy.Write(source, NpgsqlDbType.Text);
            }

            _write(requestIndex, row, positions, copy);
        }
    }

    private static int IndexOf(IReadOnlyList<MetricHeader> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i].Name == name)
            {
                return i;
            }
        }

        throw new Ga4ApiException(Ga4ErrorKind.Other, System.Net.HttpStatusCode.OK, null, $"GA4 answered without the metric '{name}' that was asked for.");
    }

    private static DateOnly Day(string? value) =>
        DateOnly.TryParseExact(value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new Ga4ApiException(Ga4ErrorKind.Other, System.Net.HttpStatusCode.OK, null, $"GA4 answered a date '{value}' that is not YYYYMMDD.");

    private static string Channel(string? value) => string.IsNullOrWhiteSpace(value) ? "(not set)" : value;

    // Integer metrics can arrive as "12.0" and key events are fractional under data-driven credit: parse through decimal.
    private static decimal Number(Row row, int index) =>
        decimal.TryParse(row.MetricValues[index].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 0m;

    private static long Count(Row row, int index) => (long)Math.Round(Number(row, index), MidpointRounding.AwayFromZero);
}
