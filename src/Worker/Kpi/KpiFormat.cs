using System.Globalization;

namespace Worker.Kpi;

/// <summary>How KPI values, changes and periods read on the page, the CSV and the command line.</summary>
public static class KpiFormat
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Value(decimal? value, string displayFormat) => value is not { } v ? "–" : displayFormat switch
    {
        "integer" => v.ToString("#,##0", Culture),
        "currency" => v.ToString("#,##0.00", Culture),
        "percent" => (v * 100).ToString("0.0", Culture) + " %",
        "hours" => v.ToString("0.0", Culture) + " h",
        _ => v.ToString("#,##0.####", Culture),
    };

    public static string Change(decimal? change) => change is not { } c ? "–" : (c >= 0 ? "+" : "−") + Math.Abs(c * 100).ToString("0.0", Culture) + " %";

    public static string Attainment(decimal? attainment) => attainment is not { } a ? "–" : (a * 100).ToString("0", Culture) + " %";

    public static string Period(KpiCard card) => card.Grain switch
    {
        Grains.Day => card.PeriodStart.ToString("yyyy-MM-dd", Culture),
        Grains.Month when card.PeriodKind == "closed" => card.PeriodStart.ToString("MMM yyyy", Culture),
        Grains.Quarter when card.PeriodKind == "closed" => $"Q{((card.PeriodStart.Month - 1) / 3) + 1} {card.PeriodStart.Year}",
        _ => $"{card.PeriodStart.ToString("yyyy-MM-dd", Culture)} – {card.PeriodEnd.ToString("yyyy-MM-dd", Culture)}",
    } + (card.PeriodKind == "to_date" ? " (to date)" : "");

    public static string Status(string status) => status.Replace('_', ' ');

    /// <summary>The cards as a plain-text table (Worker run kpi-snapshot).</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<KpiCard> cards)
    {
        var rows = cards.Select(c => new[]
        {
            c.Domain, c.Name, Period(c), Value(c.Value, c.DisplayFormat), Value(c.Target, c.DisplayFormat), Attainment(c.Attainment),
            Status(c.Status), Value(c.ComparisonValue, c.DisplayFormat), Change(c.Change),
            c.Error ?? (c.RevisedFrom is { } r ? "revised from " + Value(r, c.DisplayFormat) : ""),
        }).ToList();
        rows.Insert(0, ["domain", "kpi", "period", "value", "target", "attain.", "status", "compared with", "change", "note"]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(col => rows.Max(r => r[col].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, col) => col is 3 or 4 or 5 or 7 or 8 ? cell.PadLeft(widths[col]) : cell.PadRight(widths[col]))).TrimEnd());
        }
    }
}
