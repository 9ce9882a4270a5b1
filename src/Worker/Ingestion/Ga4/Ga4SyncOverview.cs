using System.Globalization;
using System.Net;
using System.Text;
using Dapper;
using Npgsql;

namespace Worker.Ingestion.Ga4;

/// <summary>The GA4 section of the ETL page: per property and report, freshness, the last run's quota and GA4's reliability flags.</summary>
public sealed class Ga4SyncOverview(NpgsqlDataSource dataSource)
{
    public sealed record Sync(string PropertyId, string Report, DateOnly? SyncedThrough, string? TimeZone, string Status, DateTime StartedAt,
        long RowsRead, long RowsWritten, int DaysRevised, long TokensConsumed, long? TokensPerDayRemaining, long? TokensPerHourRemaining,
        bool CostUnavailable, string Flags, string? Note, string? Error);

    // The newest run per property and report, with the state it left.
    private const string LatestRuns = """
        select distinct on (r.property_id, r.report)
               r.property_id as PropertyId, r.report, s.synced_through as SyncedThrough, coalesce(s.time_zone, r.time_zone) as TimeZone,
               r.status, r.started_at as StartedAt, r.rows_read as RowsRead, r.rows_written as RowsWritten, r.days_revised as DaysRevised,
               r.tokens_consumed as TokensConsumed, r.tokens_per_day_remaining as TokensPerDayRemaining,
               r.tokens_per_hour_remaining as TokensPerHourRemaining, r.cost_unavailable as CostUnavailable, r.flags::text as Flags, r.note, r.error
        from worker.ga4_sync_runs r
        left join worker.ga4_sync_state s on s.property_id = r.property_id and s.report = r.report
        where r.status <> 'running'
        order by r.property_id, r.report, r.started_at desc
        """;

    public IReadOnlyList<Sync> Latest()
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<Sync>(LatestRuns).ToList();
    }

    /// <summary>The section's markup; every value is encoded.</summary>
    public string Html()
    {
        var syncs = Latest();
        var html = new StringBuilder("<h3>GA4 sync</h3>");
        if (syncs.Count == 0)
        {
            return html.Append("<p class=\"etl-no-ga4\">No GA4 sync has run yet (set parameters.propertyId in jobs/ga4-*.json and enable the jobs).</p>").ToString();
        }

        html.Append("<table class=\"table etl-ga4\"><thead><tr><th>Property</th><th>Report</th><th>Synced through</th><th>Last run</th>")
            .Append("<th>Rows read / written</th><th>Days revised</th><th>Tokens used (left today / this hour)</th><th>Flags</th></tr></thead><tbody>");
        foreach (var s in syncs)
        {
            var flags = new List<string>();
            if (s.Flags is { Length: > 2 })
            {
                flags.Add(s.Flags);
            }

            if (s.CostUnavailable)
            {
                flags.Add("no cost data (stored as NULL)");
            }

            html.Append("<tr data-ga4=\"").Append(E(s.PropertyId + "/" + s.Report)).Append("\"><td>").Append(E(s.PropertyId)).Append("</td><td>").Append(E(s.Report))
                .Append("</td><td>").Append(s.SyncedThrough is { } through ? E(through.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : "—")
                .Append(s.TimeZone is null ? "" : " <small>(" + E(s.TimeZone) + ")</small>")
                .Append("</td><td>").Append(E(s.StartedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))).Append(" UTC ")
                .Append(s.Status == "succeeded" ? E(s.Status) : "<span class=\"text-danger\">" + E(s.Status) + "</span>")
                .Append((s.Error ?? s.Note) is { } text ? "<br><small>" + E(text) + "</small>" : "")
                .Append("</td><td>").Append(E(string.Create(CultureInfo.InvariantCulture, $"{s.RowsRead:N0} / {s.RowsWritten:N0}")))
                .Append("</td><td>").Append(E(s.DaysRevised.ToString(CultureInfo.InvariantCulture)))
                .Append("</td><td>").Append(E(string.Create(CultureInfo.InvariantCulture,
                    $"{s.TokensConsumed:N0} ({(s.TokensPerDayRemaining is { } d ? d.ToString("N0", CultureInfo.InvariantCulture) : "?")} / {(s.TokensPerHourRemaining is { } h ? h.ToString("N0", CultureInfo.InvariantCulture) : "?")})")))
                .Append("</td><td class=\"ga4-flags\">").Append(flags.Count == 0 ? "—" : E(string.Join("; ", flags))).Append("</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}
