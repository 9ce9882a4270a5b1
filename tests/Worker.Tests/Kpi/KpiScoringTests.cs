using Worker.Kpi;

namespace Worker.Tests.Kpi;

public sealed class KpiScoringTests
{
    private static readonly KpiPeriod March = new(Grains.Month, new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31));
    private static readonly KpiPeriod MarchTo10th = March with { End = new DateOnly(2026, 3, 10) };

    [Theory]
    // higher is better, target 100, amber tolerance 10 %: green from 100, amber from 90, red below
    [InlineData(100.0, "higher_is_better", "green")]
    [InlineData(99.99, "higher_is_better", "amber")]
    [InlineData(90.0, "higher_is_better", "amber")]
    [InlineData(89.99, "higher_is_better", "red")]
    // lower is better: green up to 100, amber up to 110, red above
    [InlineData(100.0, "lower_is_better", "green")]
    [InlineData(100.01, "lower_is_better", "amber")]
    [InlineData(110.0, "lower_is_better", "amber")]
    [InlineData(110.01, "lower_is_better", "red")]
    public void Status_bands_have_their_boundaries_in_the_better_band(double value, string direction, string status)
    {
        Assert.Equal(status, KpiScoring.Score((decimal)value, 100m, direction, 0.10m, failed: false).Status);
    }

    [Fact]
    public void Attainment_is_value_over_target_or_target_over_value_when_lower_is_better()
    {
        Assert.Equal(0.8m, KpiScoring.Score(80m, 100m, KpiScoring.HigherIsBetter, 0.1m, false).Attainment);
        Assert.Equal(1.25m, KpiScoring.Score(80m, 100m, KpiScoring.LowerIsBetter, 0.1m, false).Attainment);
        Assert.Null(KpiScoring.Score(0m, 100m, KpiScoring.LowerIsBetter, 0.1m, false).Attainment);
    }

    [Fact]
    public void No_value_is_no_data_no_target_is_no_target_and_a_failure_is_an_error()
    {
        Assert.Equal(KpiStatuses.NoData, KpiScoring.Score(null, 100m, KpiScoring.HigherIsBetter, 0.1m, false).Status);
        Assert.Equal(KpiStatuses.NoTarget, KpiScoring.Score(5m, null, KpiScoring.HigherIsBetter, 0.1m, false).Status);
        Assert.Equal(KpiStatuses.Error, KpiScoring.Score(null, 100m, KpiScoring.HigherIsBetter, 0.1m, true).Status);
    }

    [Fact]
    public void An_additive_target_is_prorated_by_the_elapsed_share_of_the_period_and_ratios_and_levels_are_not()
    {
        Assert.Equal(310m * 10 / 31, KpiScoring.TargetFor(310m, "additive", March, MarchTo10th));
        Assert.Equal(310m, KpiScoring.TargetFor(310m, "additive", March, March));
        Assert.Equal(0.9m, KpiScoring.TargetFor(0.9m, "ratio", March, MarchTo10th));
        Assert.Equal(20m, KpiScoring.TargetFor(20m, "level", March, MarchTo10th));
        Assert.Null(KpiScoring.TargetFor(null, "additive", March, MarchTo10th));
    }

    [Fact]
    public void A_prorated_target_is_met_exactly_at_its_share_and_missed_just_below_it()
    {
        var target = KpiScoring.TargetFor(3100m, "additive", March, MarchTo10th)!.Value; // 1000
        Assert.Equal(1000m, target);
        Assert.Equal(KpiStatuses.Green, KpiScoring.Score(1000m, target, KpiScoring.HigherIsBetter, 0m, false).Status);
        Assert.Equal(KpiStatuses.Red, KpiScoring.Score(999.99m, target, KpiScoring.HigherIsBetter, 0m, false).Status);
    }

    [Fact]
    public void Change_is_relative_to_the_comparison_and_undefined_from_zero()
    {
        Assert.Equal(0.25m, KpiScoring.Change(125m, 100m));
        Assert.Equal(0.5m, KpiScoring.Change(-50m, -100m));
        Assert.Null(KpiScoring.Change(5m, 0m));
        Assert.Null(KpiScoring.Change(5m, null));
    }
}
