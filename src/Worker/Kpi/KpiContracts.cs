namespace Worker.Kpi;

/// <summary>
/// One KPI as a reader sees it: the latest snapshot of one period (the last complete one, or the
/// current one so far), with the target that applied, the comparison and the recent trend. The KPI
/// page, <c>GET /api/kpis</c> and the director digest all read these, so they never disagree.
/// </summary>
/// <param name="Unit">count, currency, ratio, hours (the definition's unit).</param>
/// <param name="Direction">higher_is_better or lower_is_better.</param>
/// <param name="Grain">day, week, month or quarter.</param>
/// <param name="PeriodKind">closed (the last complete period) or to_date (the current period so far).</param>
/// <param name="PeriodEnd">The last day counted, inclusive (for to_date: the last complete day).</param>
/// <param name="Status">green, amber, red, no_data (no value for the period), no_target (a value, but no target applied) or error.</param>
/// <param name="ComparisonValue">The comparable previous period: for to_date the same elapsed days of the previous period.</param>
/// <param name="Change">Relative change against <paramref name="ComparisonValue"/> as a fraction (0.03 = +3 %).</param>
/// <param name="RevisedFrom">Set when a closed period's value moved after it was first reported: the earlier value.</param>
/// <param name="DataAsOf">When the data behind the value was last refreshed (the KPI views' as-of time).</param>
/// <param name="Trend">The last closed periods, oldest first.</param>
public sealed record KpiCard(
    Guid KpiId,
    string Domain,
    string Name,
    string? Description,
    string Unit,
    string Direction,
    string Grain,
    string PeriodKind,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    decimal? Value,
    decimal? Target,
    decimal? Attainment,
    string Status,
    decimal? ComparisonValue,
    decimal? Change,
    decimal? RevisedFrom,
    DateTimeOffset? RevisedAt,
    DateTimeOffset ComputedAt,
    DateTimeOffset? DataAsOf,
    string? Error,
    IReadOnlyList<KpiTrendPoint> Trend)
{
    /// <summary>How to show the value: integer, decimal, currency, percent or hours (the definition's display_format).</summary>
    public string DisplayFormat { get; init; } = "decimal";
}

/// <summary>One closed period of a KPI's history.</summary>
public sealed record KpiTrendPoint(DateOnly PeriodStart, DateOnly PeriodEnd, decimal? Value, decimal? Target, string Status);

/// <summary>
/// Reads the KPI snapshots a reader may see, evaluated under that reader's permissions (never the
/// worker's own identity), exactly as the database's row-level rules would allow.
/// </summary>
public interface IKpiScorecard
{
    /// <summary>
    /// Every KPI a signed-in user may read: per KPI a card for its last closed period and, when the
    /// current period has a complete day, a second card (PeriodKind to_date) for the period so far.
    /// </summary>
    Task<IReadOnlyList<KpiCard>> ReadForUserAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Every KPI a holder of the role may read (digest subscribers outside the user table read as a role).</summary>
    Task<IReadOnlyList<KpiCard>> ReadForRoleAsync(string roleName, CancellationToken cancellationToken);
}

/// <summary>
/// Ingestion (CSV imports, GA4 syncs) calls this after a write that changed rows; the KPI layer
/// debounces the requests into one refresh of the KPI views.
/// </summary>
public interface IKpiRefreshTrigger
{
    Task RequestRefreshAsync(string reason, CancellationToken cancellationToken);
}
