namespace Worker.Kpi;

/// <summary>The statuses a snapshot can have.</summary>
public static class KpiStatuses
{
    public const string Green = "green";
    public const string Amber = "amber";
    public const string Red = "red";
    public const string NoData = "no_data";
    public const string NoTarget = "no_target";
    public const string Error = "error";
}

/// <summary>A value scored against its target.</summary>
public sealed record KpiScore(decimal? Target, decimal? Attainment, string Status);

/// <summary>
/// How a value is judged: the target that applied (prorated for an additive period-to-date), the
/// attainment (value ÷ target, or target ÷ value when lower is better), and the status band — green
/// when the target is met, amber within the amber tolerance (a fraction of the target) of it, red
/// beyond. Boundaries belong to the better band.
/// </summary>
public static class KpiScoring
{
    public const string HigherIsBetter = "higher_is_better";
    public const string LowerIsBetter = "lower_is_better";

    /// <summary>
    /// The target for a period: an additive KPI's period-to-date target is the whole period's target
    /// times the elapsed share of the period; ratios and levels are never prorated.
    /// </summary>
    public static decimal? TargetFor(decimal? periodTarget, string aggregation, KpiPeriod fullPeriod, KpiPeriod measured)
    {
        if (periodTarget is not { } target)
        {
            return null;
        }

        return aggregation == "additive" && measured.Days < fullPeriod.Days
            ? target * measured.Days / fullPeriod.Days
            : target;
    }

    public static KpiScore Score(decimal? value, decimal? target, string direction, decimal amberTolerance, bool failed)
    {
        if (failed)
        {
            return new KpiScore(target, null, KpiStatuses.Error);
        }

        if (value is not { } v)
        {
            return new KpiScore(target, null, KpiStatuses.NoData);
        }

        if (target is not { } t)
        {
            return new KpiScore(null, null, KpiStatuses.NoTarget);
        }

        var lowerIsBetter = direction == LowerIsBetter;
        decimal? attainment = lowerIsBetter ? (v == 0 ? null : t / v) : (t == 0 ? null : v / t);
        var band = Math.Abs(t) * amberTolerance;
        var status = lowerIsBetter
            ? v <= t ? KpiStatuses.Green : v <= t + band ? KpiStatuses.Amber : KpiStatuses.Red
            : v >= t ? KpiStatuses.Green : v >= t - band ? KpiStatuses.Amber : KpiStatuses.Red;
        return new KpiScore(t, attainment is { } a ? Math.Round(a, 6) : null, status);
    }

    /// <summary>Relative change against the comparison (0.03 = +3 %); null without a comparison or from zero.</summary>
    public static decimal? Change(decimal? value, decimal? comparison) =>
        value is { } v && comparison is { } c && c != 0 ? Math.Round((v - c) / Math.Abs(c), 6) : null;
}
