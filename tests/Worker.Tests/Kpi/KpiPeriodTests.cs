using Worker.Kpi;

namespace Worker.Tests.Kpi;

public sealed class KpiPeriodTests
{
    private static DateOnly D(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    // today, month to date, compared with (same elapsed days of the previous month, never beyond its end)
    [InlineData("2026-03-11", "2026-03-01", "2026-03-10", "2026-02-01", "2026-02-10")]
    [InlineData("2026-03-31", "2026-03-01", "2026-03-30", "2026-02-01", "2026-02-28")] // 30 days against February's 28
    [InlineData("2024-03-31", "2024-03-01", "2024-03-30", "2024-02-01", "2024-02-29")] // leap year
    [InlineData("2026-05-31", "2026-05-01", "2026-05-30", "2026-04-01", "2026-04-30")] // 30 days against April's 30
    [InlineData("2026-03-02", "2026-03-01", "2026-03-01", "2026-02-01", "2026-02-01")]
    [InlineData("2026-01-15", "2026-01-01", "2026-01-14", "2025-12-01", "2025-12-14")] // across a year
    public void Month_to_date_is_compared_with_the_same_elapsed_days_of_the_previous_month(string today, string start, string end, string comparisonStart, string comparisonEnd)
    {
        var toDate = KpiPeriod.ToDate(Grains.Month, D(today))!.Value;
        var comparison = toDate.SameElapsedDaysOfPrevious();

        Assert.Equal((D(start), D(end)), (toDate.Start, toDate.End));
        Assert.Equal((D(comparisonStart), D(comparisonEnd)), (comparison.Start, comparison.End));
    }

    [Fact]
    public void On_the_first_day_of_a_period_there_is_no_period_to_date_and_the_last_closed_period_is_the_previous_one()
    {
        Assert.Null(KpiPeriod.ToDate(Grains.Month, D("2026-03-01")));
        Assert.Null(KpiPeriod.ToDate(Grains.Day, D("2026-03-11")));
        Assert.Equal(new KpiPeriod(Grains.Month, D("2026-02-01"), D("2026-02-28")), KpiPeriod.LastClosed(Grains.Month, D("2026-03-01")));
    }

    [Fact]
    public void Weeks_start_on_monday_and_quarters_in_january_april_july_october()
    {
        // 2026-03-11 is a Wednesday.
        Assert.Equal(new KpiPeriod(Grains.Week, D("2026-03-09"), D("2026-03-15")), KpiPeriod.Containing(Grains.Week, D("2026-03-11")));
        Assert.Equal(new KpiPeriod(Grains.Week, D("2026-03-09"), D("2026-03-15")), KpiPeriod.Containing(Grains.Week, D("2026-03-15")));
        Assert.Equal(new KpiPeriod(Grains.Quarter, D("2026-01-01"), D("2026-03-31")), KpiPeriod.Containing(Grains.Quarter, D("2026-03-11")));
        Assert.Equal(new KpiPeriod(Grains.Quarter, D("2025-10-01"), D("2025-12-31")), KpiPeriod.LastClosed(Grains.Quarter, D("2026-01-01")));
        // 1 January to 14 February is 45 days; the same 45 days of the previous quarter end on 14 November.
        Assert.Equal(new KpiPeriod(Grains.Quarter, D("2025-10-01"), D("2025-11-14")), KpiPeriod.ToDate(Grains.Quarter, D("2026-02-15"))!.Value.SameElapsedDaysOfPrevious());
        Assert.Equal(90, KpiPeriod.Containing(Grains.Quarter, D("2026-02-15")).Days);
    }
}
