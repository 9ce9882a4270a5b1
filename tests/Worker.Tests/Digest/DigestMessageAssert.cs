using System.Globalization;
using CsvHelper;
using MimeKit;
using MiniExcelLibs;
using SkiaSharp;
using Worker.Digest;
using Worker.Kpi;

namespace Worker.Tests.Digest;

/// <summary>What every digest e-mail must be, checked on the parsed MIME message.</summary>
internal static class DigestMessageAssert
{
    public static string Html(MimeMessage message) => message.HtmlBody ?? throw new Xunit.Sdk.XunitException("No HTML body.");

    /// <summary>Every permitted KPI is in the HTML and the text, no other KPI is; charts by Content-ID; attachments equal the slice.</summary>
    public static void HoldsExactly(MimeMessage message, IReadOnlyList<KpiCard> permitted, TimeZoneInfo zone, IReadOnlyList<KpiCard>? universe = null)
    {
        Assert.NotEmpty(permitted);
        var html = Html(message);
        var decoded = System.Net.WebUtility.HtmlDecode(html);
        var text = message.TextBody ?? throw new Xunit.Sdk.XunitException("No text alternative.");
        foreach (var card in (universe ?? SampleCards.All).DistinctBy(c => c.Name))
        {
            var expected = permitted.Any(p => p.Name == card.Name);
            Assert.True(expected == decoded.Contains($"data-kpi=\"{card.Name}\"", StringComparison.Ordinal), $"{card.Name} in the HTML: expected {expected}");
            Assert.True(expected == text.Contains("- " + card.Name + " (", StringComparison.Ordinal), $"{card.Name} in the text: expected {expected}");
        }

        // One chart per domain of the slice, referenced by Content-ID and carried as an inline PNG of the fixed width on white.
        var images = message.BodyParts.OfType<MimePart>().Where(p => p.ContentType.MimeType == "image/png").ToList();
        var domains = permitted.Select(c => c.Domain).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(domains.Select(d => $"chart-{d}@kpi-digest"), images.Select(i => i.ContentId).Order(StringComparer.Ordinal));
        foreach (var image in images)
        {
            Assert.Contains($"src=\"cid:{image.ContentId}\" width=\"600\"", html, StringComparison.Ordinal);
            using var bytes = new MemoryStream();
            image.Content!.DecodeTo(bytes);
            using var bitmap = SKBitmap.Decode(bytes.ToArray());
            Assert.Equal((DigestCharts.Width, DigestCharts.Height), (bitmap.Width, bitmap.Height));
            Assert.Equal(SKColors.White, bitmap.GetPixel(1, 1));
        }

        var attachments = message.Attachments.OfType<MimePart>().ToDictionary(a => Path.GetExtension(a.FileName ?? ""), a => Decode(a));
        Assert.Equal([".csv", ".xlsx"], attachments.Keys.Order(StringComparer.Ordinal));
        var expectedRows = Expected(permitted, zone);
        Assert.Equal(string.Join('\n', expectedRows), string.Join('\n', CsvRows(attachments[".csv"])));
        // A spreadsheet keeps numbers as numbers: 17.480 comes back as 17.48.
        Assert.Equal(string.Join('\n', expectedRows.Select(Numbers)), string.Join('\n', XlsxRows(attachments[".xlsx"]).Select(Numbers)));
    }

    /// <summary>The slice as the attachments must hold it: invariant text per cell, moments in the recipient's zone.</summary>
    public static List<string> Expected(IEnumerable<KpiCard> cards, TimeZoneInfo zone) => [.. DigestContent.Create("x", DigestPeriod.LastComplete("week", SampleCards.ComputedAt, zone), zone, SampleCards.ComputedAt, cards, "")
        .Cards.Select(c => string.Join('|',
            c.Domain, c.Name, c.Unit, c.Direction, c.Grain, c.PeriodKind, c.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), c.PeriodEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            N(c.Value), N(c.Target), N(c.Attainment), c.Status, N(c.ComparisonValue), N(c.Change), N(c.RevisedFrom),
            T(c.RevisedAt, zone), T(c.ComputedAt, zone), T(c.DataAsOf, zone), zone.Id))];

    private static List<string> CsvRows(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes));
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        Assert.Equal(DigestAttachments.Columns, csv.HeaderRecord);
        var rows = new List<string>();
        while (csv.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, DigestAttachments.Columns.Length).Select(i => csv.GetField(i))));
        }

        return rows;
    }

    private static List<string> XlsxRows(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        var rows = stream.Query(useHeaderRow: true, sheetName: "KPIs").Cast<IDictionary<string, object?>>().ToList();
        Assert.All(rows, r => Assert.Equal(DigestAttachments.Columns, r.Keys));
        return [.. rows.Select(r => string.Join('|', DigestAttachments.Columns.Select(c => r[c] switch
        {
            null => "",
            DateTime t when t.TimeOfDay == TimeSpan.Zero && c is "period_start" or "period_end" => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            double d => ((decimal)d).ToString(CultureInfo.InvariantCulture),
            decimal m => m.ToString(CultureInfo.InvariantCulture),
            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
        })))];
    }

    private static string Numbers(string row) => string.Join('|', row.Split('|').Select(cell =>
        decimal.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d.ToString("0.##########", CultureInfo.InvariantCulture) : cell));

    private static byte[] Decode(MimePart part)
    {
        using var bytes = new MemoryStream();
        part.Content!.DecodeTo(bytes);
        return bytes.ToArray();
    }

    private static string N(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string T(DateTimeOffset? moment, TimeZoneInfo zone) =>
        moment is { } m ? TimeZoneInfo.ConvertTime(m, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";
}
