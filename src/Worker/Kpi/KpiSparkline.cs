using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Worker.Kpi;

/// <summary>
/// A small inline SVG of a KPI's last closed periods: the values as a line with a dot per period in its
/// status colour, the targets as a dashed line. No script, no library; scales to the values shown.
/// </summary>
public static class KpiSparkline
{
    private const int Width = 120;
    private const int Height = 32;
    private const int Pad = 3;

    private static readonly Dictionary<string, string> Colours = new(StringComparer.Ordinal)
    {
        ["green"] = "#3c8d40", ["amber"] = "#c77c02", ["red"] = "#c9302c", ["error"] = "#6a1b9a",
    };

    public static string Svg(IReadOnlyList<KpiTrendPoint> trend, string direction)
    {
        var values = trend.Where(p => p.Value is not null).Select(p => p.Value!.Value).Concat(trend.Where(p => p.Target is not null).Select(p => p.Target!.Value)).ToList();
        var label = HtmlEncoder.Default.Encode("Trend of the last " + trend.Count + " periods: " +
            string.Join(", ", trend.Select(p => p.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " " + (p.Value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "no data"))));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"sparkline\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{label}\" data-direction=\"{HtmlEncoder.Default.Encode(direction)}\">");
        if (values.Count > 0 && trend.Count > 0)
        {
            var min = values.Min();
            var max = values.Max();
            var span = max == min ? 1m : max - min;
            double X(int i) => trend.Count == 1 ? Width / 2.0 : Pad + (i * (Width - 2.0 * Pad) / (trend.Count - 1));
            double Y(decimal v) => Height - Pad - (double)((v - min) / span) * (Height - 2.0 * Pad);
            string Points(Func<KpiTrendPoint, decimal?> pick) => string.Join(' ', trend.Select((p, i) => (p, i)).Where(x => pick(x.p) is not null)
                .Select(x => string.Create(CultureInfo.InvariantCulture, $"{X(x.i):0.#},{Y(pick(x.p)!.Value):0.#}")));

            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"target\" fill=\"none\" stroke=\"#999\" stroke-width=\"1\" stroke-dasharray=\"3 2\" points=\"{Points(p => p.Target)}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"value\" fill=\"none\" stroke=\"#337ab7\" stroke-width=\"1.5\" points=\"{Points(p => p.Value)}\"/>");
            for (var i = 0; i < trend.Count; i++)
            {
                if (trend[i].Value is { } v)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.#}\" cy=\"{Y(v):0.#}\" r=\"2.5\" fill=\"{Colours.GetValueOrDefault(trend[i].Status, "#888")}\"/>");
                }
            }
        }

        svg.Append("</svg>");
        return svg.ToString();
    }
}
