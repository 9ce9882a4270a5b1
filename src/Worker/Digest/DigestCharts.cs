using ScottPlot;
using Worker.Kpi;

namespace Worker.Digest;

/// <summary>
/// One trend chart per domain: each KPI's recent closed periods as a percentage of the target that
/// applied then (so counts, money and ratios share one axis), with the 100 % line. White background
/// and dark ink whatever the mail client's theme; drawn at exactly the width the e-mail shows it.
/// </summary>
public static class DigestCharts
{
    public const int Width = 600;
    public const int Height = 260;

    /// <summary>The highest percentage of target the axis shows.</summary>
    public const double Cap = 200;

    // A sans-serif face that Debian (and the container image) has; ScottPlot falls back to its default elsewhere.
    private const string Font = "DejaVu Sans";

    private static readonly string[] Palette = ["#2f6fde", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285", "#5c940d", "#862e9c"];

    /// <summary>PNG bytes, or null when no KPI of the domain has a trend against a target yet.</summary>
    public static byte[]? Trend(DigestDomain domain)
    {
        var series = domain.Cards
            .Where(c => c.PeriodKind == "closed")
            .Select(c => (Card: c, Points: c.Trend.Select(p => (p.PeriodEnd, Percent: Attainment(c.Direction, p))).Where(p => p.Percent is not null).ToList()))
            .Where(s => s.Points.Count > 0)
            .ToList();
        if (series.Count == 0)
        {
            return null;
        }

        var plot = new Plot();
        plot.Font.Set(Font);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Axes.Color(Color.FromHex("#3d4452"));
        plot.Grid.MajorLineColor = Color.FromHex("#e3e6ec");
        var target = plot.Add.HorizontalLine(100);
        target.Color = Color.FromHex("#8a909c");
        target.LinePattern = LinePattern.Dashed;
        target.LineWidth = 1;
        target.LegendText = "target";

        foreach (var ((card, points), i) in series.Select((s, i) => (s, i)))
        {
            var xs = points.Select(p => p.PeriodEnd.ToDateTime(TimeOnly.MinValue)).ToArray();
            var ys = points.Select(p => (double)p.Percent!.Value).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.Color = Color.FromHex(Palette[i % Palette.Length]);
            line.LineWidth = 2;
            line.MarkerSize = 5;
            line.LegendText = card.Name;
        }

        var dates = plot.Axes.DateTimeTicksBottom();
        if (dates.TickGenerator is ScottPlot.TickGenerators.DateTimeAutomatic automatic)
        {
            automatic.LabelFormatter = d => d.ToString("d MMM", System.Globalization.CultureInfo.InvariantCulture);
        }

        // One runaway KPI (a ROI at 560 %) would flatten every other line: the axis stops at Cap and says so.
        var highest = series.SelectMany(x => x.Points).Max(p => (double)p.Percent!.Value);
        var lowest = series.SelectMany(x => x.Points).Min(p => (double)p.Percent!.Value);
        var top = Math.Min(Math.Max(highest, 100) * 1.08, Cap);
        var bottom = Math.Max(Math.Min(lowest, 100) - 0.08 * (top - Math.Min(lowest, 100)), 0);
        plot.Axes.SetLimitsY(bottom, top);
        plot.Axes.Left.Label.Text = highest > Cap ? $"% of target (axis cut at {Cap:0} %)" : "% of target";
        plot.Axes.Left.Label.FontSize = 12;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 11;
        plot.Axes.Left.TickLabelStyle.FontSize = 11;
        plot.Legend.FontSize = 11;
        plot.Legend.BackgroundColor = Colors.White;
        plot.Legend.OutlineColor = Color.FromHex("#e3e6ec");
        plot.ShowLegend(Edge.Bottom);
        plot.Axes.Margins(horizontal: 0.04);
        plot.Axes.SetLimitsY(bottom, top);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Value against target as a percentage, turned round when lower is better (so up is always good).</summary>
    public static decimal? Attainment(string direction, KpiTrendPoint point) =>
        point is { Value: { } value, Target: { } target } && target != 0 && value != 0
            ? Math.Round(direction == "lower_is_better" ? target / value * 100 : value / target * 100, 1)
            : null;
}
