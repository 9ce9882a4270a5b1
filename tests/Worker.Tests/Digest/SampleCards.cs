using Worker.Kpi;

namespace Worker.Tests.Digest;

/// <summary>KPI cards made by hand: three per domain, a closed week and the week so far, six weeks of trend, one revision.</summary>
internal static class SampleCards
{
    public static readonly DateTimeOffset ComputedAt = new(2026, 11, 30, 6, 45, 0, TimeSpan.Zero);

    public static IReadOnlyList<KpiCard> All { get; } = Build();

    private static List<KpiCard> Build()
    {
        var definitions = new (string Domain, string Name, string Unit, string Direction, decimal Value, decimal Target)[]
        {
            ("sales", "Won value", "currency", "higher_is_better", 182_400m, 200_000m),
            ("sales", "Pipeline coverage", "ratio", "higher_is_better", 3.1m, 3m),
            ("sales", "New leads", "count", "higher_is_better", 96m, 120m),
            ("marketing", "Leads", "count", "higher_is_better", 412m, 400m),
            ("marketing", "Cost per lead", "currency", "lower_is_better", 38.5m, 35m),
            ("marketing", "Sessions", "count", "higher_is_better", 58_210m, 60_000m),
            ("operations", "SLA compliance", "ratio", "higher_is_better", 0.912m, 0.95m),
            ("operations", "Open backlog", "count", "lower_is_better", 143m, 120m),
            ("operations", "Resolution time", "hours", "lower_is_better", 18.4m, 24m),
            ("finance", "Gross margin", "ratio", "higher_is_better", 0.412m, 0.4m),
            ("finance", "AR over 90 days", "currency", "lower_is_better", 48_900m, 40_000m),
            ("finance", "Revenue", "currency", "higher_is_better", 1_240_000m, 1_200_000m),
        };
        var cards = new List<KpiCard>();
        var weekStart = new DateOnly(2026, 11, 23);
        foreach (var (d, i) in definitions.Select((d, i) => (d, i)))
        {
            var trend = Enumerable.Range(0, 6).Select(w =>
            {
                var start = weekStart.AddDays(-7 * (5 - w));
                var value = Math.Round(d.Value * (0.85m + 0.04m * w + (i % 3) * 0.02m), 3);
                return new KpiTrendPoint(start, start.AddDays(6), value, d.Target, Status(d.Direction, value, d.Target));
            }).ToList();
            var id = new Guid($"00000000-0000-0000-0000-{i + 1:D12}");
            var attainment = Math.Round(d.Direction == "lower_is_better" ? d.Target / d.Value : d.Value / d.Target, 4);
            cards.Add(new KpiCard(id, d.Domain, d.Name, null, d.Unit, d.Direction, "week", "closed", weekStart, weekStart.AddDays(6),
                d.Value, d.Target, attainment, Status(d.Direction, d.Value, d.Target), Math.Round(d.Value * 0.95m, 3), 0.0526m,
                i == 3 ? 398m : null, i == 3 ? ComputedAt.AddDays(-2) : null, ComputedAt, ComputedAt.AddMinutes(-30), null, trend) { DisplayFormat = Format(d.Unit) });
            var toDate = d.Unit is "ratio" or "hours" ? Math.Round(d.Value * 0.98m, 3) : Math.Round(d.Value / 7, 3);
            cards.Add(new KpiCard(id, d.Domain, d.Name, null, d.Unit, d.Direction, "week", "to_date", weekStart.AddDays(7), weekStart.AddDays(7),
                toDate, d.Unit is "ratio" or "hours" ? d.Target : Math.Round(d.Target / 7, 3), 0.97m, "amber", Math.Round(toDate * 1.1m, 3), -0.0909m,
                null, null, ComputedAt, ComputedAt.AddMinutes(-30), null, trend) { DisplayFormat = Format(d.Unit) });
        }

        return cards;
    }

    private static string Format(string unit) => unit switch { "count" => "integer", "ratio" => "percent", _ => unit };

    private static string Status(string direction, decimal value, decimal target)
    {
        var attainment = direction == "lower_is_better" ? target / value : value / target;
        return attainment >= 1 ? "green" : attainment >= 0.95m ? "amber" : "red";
    }
}
