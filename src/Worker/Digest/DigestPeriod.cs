using System.Globalization;

namespace Worker.Digest;

/// <summary>
/// What one digest covers: the last complete week (Monday to Sunday) or month before the day the job
/// runs, in the business time zone. Every run within the same week (or month) targets the same period,
/// so the delivery log knows who already has it.
/// </summary>
public sealed record DigestPeriod(string Grain, DateOnly Start, DateOnly End)
{
    public static DigestPeriod LastComplete(string grain, DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        switch (grain)
        {
            case "week":
                var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
                return new DigestPeriod(grain, monday.AddDays(-7), monday.AddDays(-1));
            case "month":
                var first = new DateOnly(today.Year, today.Month, 1);
                return new DigestPeriod(grain, first.AddMonths(-1), first.AddDays(-1));
            default:
                throw new ArgumentOutOfRangeException(nameof(grain), grain, "A digest covers a week or a month.");
        }
    }

    /// <summary>"Week 48, 23–29 Nov 2026" or "November 2026".</summary>
    public string Label => Grain == "week"
        ? $"Week {ISOWeek.GetWeekOfYear(Start.ToDateTime(TimeOnly.MinValue))}, {Range(Start, End)}"
        : Start.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    internal static string Range(DateOnly start, DateOnly end) =>
        start == end ? end.ToString("d MMM yyyy", CultureInfo.InvariantCulture)
        : start.Year != end.Year ? $"{start.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} – {end.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}"
        : start.Month != end.Month ? $"{start.ToString("d MMM", CultureInfo.InvariantCulture)} – {end.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}"
        : $"{start.Day}–{end.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}";
}
