using System.Globalization;
using Worker.Kpi;

namespace Worker.Digest;

/// <summary>Everything one recipient's digest shows: their slice of the KPIs, grouped by domain, with times in their zone.</summary>
public sealed record DigestContent(
    string RecipientName,
    DigestPeriod Period,
    TimeZoneInfo TimeZone,
    DateTimeOffset PreparedAt,
    IReadOnlyList<DigestDomain> Domains,
    string PublicUrl)
{
    public static readonly string[] DomainOrder = ["sales", "marketing", "operations", "finance"];

    public static DigestContent Create(string recipientName, DigestPeriod period, TimeZoneInfo zone, DateTimeOffset preparedAt, IEnumerable<KpiCard> cards, string publicUrl)
    {
        var domains = cards
            .GroupBy(c => c.Domain, StringComparer.Ordinal)
            .OrderBy(g => Array.IndexOf(DomainOrder, g.Key) is var i && i < 0 ? int.MaxValue : i).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DigestDomain(g.Key, [.. g.OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.PeriodKind == "closed" ? 0 : 1)]))
            .ToList();
        return new DigestContent(recipientName, period, zone, preparedAt, domains, publicUrl);
    }

    public IEnumerable<KpiCard> Cards => Domains.SelectMany(d => d.Cards);

    public int Count(string status) => Cards.Count(c => c.Status == status);

    public string Subject
    {
        get
        {
            var red = Count("red");
            var amber = Count("amber");
            var flags = red + amber == 0 ? "all on target" : string.Join(", ", new[] { red > 0 ? $"{red} red" : null, amber > 0 ? $"{amber} amber" : null }.OfType<string>());
            return $"KPI digest · {Period.Label} · {flags}";
        }
    }

    /// <summary>A moment shown to the recipient: in their zone, with the zone's name.</summary>
    public string Local(DateTimeOffset moment) =>
        TimeZoneInfo.ConvertTime(moment, TimeZone).ToString("ddd d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + " " + ZoneLabel;

    public string ZoneLabel => TimeZone.Id;
}

public sealed record DigestDomain(string Domain, IReadOnlyList<KpiCard> Cards)
{
    public string Title => Domain switch
    {
        _ => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Domain),
    };

    /// <summary>The chart's Content-ID in the e-mail (and its file name).</summary>
    public string ChartId => $"chart-{Domain}@kpi-digest";

    public string ChartFileName => $"trend-{Domain}.png";
}

/// <summary>How KPI numbers read in the digest (and its attachments' display columns).</summary>
public static class DigestFormat
{
    /// <summary>A value as the KPI page shows it (the definition's display format), so page and digest never disagree.</summary>
    public static string Value(decimal? value, string displayFormat) => Worker.Kpi.KpiFormat.Value(value, displayFormat);

    public static string Attainment(decimal? attainment) => attainment is { } a ? a.ToString("0 %", CultureInfo.InvariantCulture) : "—";

    public static string Change(decimal? change) => change is not { } c ? "—"
        : (c > 0 ? "▲ +" : c < 0 ? "▼ −" : "■ ") + Math.Abs(c).ToString("0.0 %", CultureInfo.InvariantCulture);

    /// <summary>Whether a change is good news, given which way the KPI should move.</summary>
    public static bool? ChangeIsGood(KpiCard card) => card.Change is not { } c || c == 0 ? null
        : card.Direction == "lower_is_better" ? c < 0 : c > 0;

    public static string StatusLabel(string status) => status switch
    {
        "green" => "On target",
        "amber" => "Near target",
        "red" => "Off target",
        "no_data" => "No data",
        "no_target" => "No target",
        "error" => "Error",
        _ => status,
    };

    /// <summary>Status colours: a light cell with dark text, readable in light and forced-dark clients alike.</summary>
    public static (string Background, string Text) StatusColours(string status) => status switch
    {
        "green" => ("#d8f0dd", "#12522a"),
        "amber" => ("#fdebc8", "#7a4b00"),
        "red" => ("#f9d6d5", "#8a1c12"),
        "error" => ("#f9d6d5", "#8a1c12"),
        _ => ("#e9ebef", "#3d4452"),
    };

    public static string Period(KpiCard card) =>
        (card.PeriodKind == "to_date" ? "so far: " : "") + DigestPeriod.Range(card.PeriodStart, card.PeriodEnd);

    public static string Revision(KpiCard card, Func<DateTimeOffset, string> local) => card.RevisedFrom is { } from
        ? $"revised from {Value(from, card.DisplayFormat)}" + (card.RevisedAt is { } at ? $" on {local(at)}" : "")
        : "";
}
