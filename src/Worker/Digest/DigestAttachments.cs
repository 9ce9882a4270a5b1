using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using MiniExcelLibs;
using Worker.Kpi;

namespace Worker.Digest;

/// <summary>
/// The recipient's whole slice as a table: one row per KPI and period kind, numbers as numbers (not
/// formatted text) so a spreadsheet can compute with them, moments in the recipient's time zone.
/// </summary>
public static class DigestAttachments
{
    public static readonly string[] Columns =
    [
        "domain", "kpi", "unit", "direction", "grain", "period_kind", "period_start", "period_end", "value", "target", "attainment",
        "status", "comparison_value", "change", "revised_from", "revised_at", "computed_at", "data_as_of", "time_zone",
    ];

    public static IEnumerable<object?[]> Rows(DigestContent content) => content.Cards.Select(c => new object?[]
    {
        c.Domain, c.Name, c.Unit, c.Direction, c.Grain, c.PeriodKind, c.PeriodStart, c.PeriodEnd, c.Value, c.Target, c.Attainment,
        c.Status, c.ComparisonValue, c.Change, c.RevisedFrom, Local(c.RevisedAt, content.TimeZone), Local(c.ComputedAt, content.TimeZone),
        Local(c.DataAsOf, content.TimeZone), content.TimeZone.Id,
    });

    public static byte[] Csv(DigestContent content)
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)))
        using (var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture)))
        {
            foreach (var column in Columns)
            {
                csv.WriteField(column);
            }

            csv.NextRecord();
            foreach (var row in Rows(content))
            {
                foreach (var cell in row)
                {
                    csv.WriteField(cell switch
                    {
                        null => "",
                        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                        decimal m => m.ToString(CultureInfo.InvariantCulture),
                        // CsvHelper's injection escaping would also turn -0.05 into '-0.05: only text is neutralised.
                        string text when text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' => "'" + text,
                        _ => Convert.ToString(cell, CultureInfo.InvariantCulture),
                    });
                }

                csv.NextRecord();
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Xlsx(DigestContent content)
    {
        var sheet = Rows(content).Select(row =>
        {
            var record = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < Columns.Length; i++)
            {
                record[Columns[i]] = row[i] switch
                {
                    DateOnly d => d.ToDateTime(TimeOnly.MinValue),
                    var other => other,
                };
            }

            return record;
        }).ToList();
        using var buffer = new MemoryStream();
        if (sheet.Count == 0)
        {
            sheet.Add(Columns.ToDictionary(c => c, _ => (object?)null, StringComparer.Ordinal));
        }

        buffer.SaveAs(sheet, sheetName: "KPIs");
        return buffer.ToArray();
    }

    private static DateTime? Local(DateTimeOffset? moment, TimeZoneInfo zone) =>
        moment is { } m ? TimeZoneInfo.ConvertTime(m, zone).DateTime : null;

    public static string FileStem(DigestContent content) => $"kpi-digest-{content.Period.Start:yyyy-MM-dd}";
}
