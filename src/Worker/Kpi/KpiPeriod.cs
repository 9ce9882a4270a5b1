namespace Worker.Kpi;

/// <summary>The grains a KPI is reported in.</summary>
public static class Grains
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";
    public const string Quarter = "quarter";
}

/// <summary>
/// One period of a grain, both ends inclusive. Weeks start on Monday (ISO 8601); quarters in January,
/// April, July and October.
/// </summary>
public readonly record struct KpiPeriod(string Grain, DateOnly Start, DateOnly End)
{
    public int Days => End.DayNumber - Start.DayNumber + 1;

    public static KpiPeriod Containing(string grain, DateOnly day)
    {
        var start = grain switch
        {
            Grains.Day => day,
            Grains.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
            Grains.Month => new DateOnly(day.Year, day.Month, 1),
            Grains.Quarter => new DateOnly(day.Year, ((day.Month - 1) / 3 * 3) + 1, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(grain), grain, "Unknown grain."),
        };
        return new KpiPeriod(grain, start, NextStart(grain, start).AddDays(-1));
    }

    public KpiPeriod Previous() => Containing(Grain, Start.AddDays(-1));

    public KpiPeriod Next() => Containing(Grain, End.AddDays(1));

    /// <summary>The last period that ended before <paramref name="today"/>.</summary>
    public static KpiPeriod LastClosed(string grain, DateOnly today) => Containing(grain, today).Previous();

    /// <summary>
    /// The current period up to yesterday (the last complete day), or null on its first day, when
    /// nothing of it is complete yet.
    /// </summary>
    public static KpiPeriod? ToDate(string grain, DateOnly today)
    {
        var current = Containing(grain, today);
        return today > current.Start ? current with { End = today.AddDays(-1) } : null;
    }

    /// <summary>
    /// What a period-to-date is compared with: the same number of elapsed days from the start of the
    /// previous period, never beyond its end (the 1st–30th of March against the 1st–28th of February).
    /// </summary>
    public KpiPeriod SameElapsedDaysOfPrevious()
    {
        var previous = Containing(Grain, Start).Previous();
        var end = previous.Start.AddDays(Days - 1);
        return previous with { End = end < previous.End ? end : previous.End };
    }

    private static DateOnly NextStart(string grain, DateOnly start) => grain switch
    {
        Grains.Day => start.AddDays(1),
        Grains.Week => start.AddDays(7),
        Grains.Month => start.AddMonths(1),
        _ => start.AddMonths(3),
    };
}
