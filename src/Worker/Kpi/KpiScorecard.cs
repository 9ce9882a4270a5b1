using Dapper;
using Npgsql;
using Worker.Security;

namespace Worker.Kpi;

/// <summary>
/// The KPI cards a reader may see, read under that reader's permissions: as the signed-in user through
/// public.v_kpi_snapshots (impersonated the way PostgREST does, so the database decides), or for a role
/// through private.kpi_snapshots_for_role (the same domain rule applied to the role's permissions).
/// For each KPI: a card for the last closed period and, when the current period has a complete day,
/// one for the period to date; both carry the trend of the last closed periods.
/// </summary>
public sealed class KpiScorecard(NpgsqlDataSource dataSource) : IKpiScorecard
{
    private const string Columns = """
        kpi_id as KpiId, domain, name, description, unit, direction, grain, display_format as DisplayFormat, sort_order as SortOrder,
        period_kind as PeriodKind, period_start as PeriodStart, period_end as PeriodEnd, value, target_value as TargetValue,
        attainment, status, comparison_value as ComparisonValue, change, revised_from as RevisedFrom, revised_at as RevisedAt,
        computed_at as ComputedAt, data_as_of as DataAsOf, error
        """;

    private static readonly string[] DomainOrder = ["sales", "marketing", "operations", "finance"];

    internal sealed record SnapshotRow(Guid KpiId, string Domain, string Name, string? Description, string Unit, string Direction, string Grain,
        string DisplayFormat, int SortOrder, string PeriodKind, DateOnly PeriodStart, DateOnly PeriodEnd, decimal? Value, decimal? TargetValue,
        decimal? Attainment, string Status, decimal? ComparisonValue, decimal? Change, decimal? RevisedFrom, DateTime? RevisedAt,
        DateTime ComputedAt, DateTime? DataAsOf, string? Error);

    public async Task<IReadOnlyList<KpiCard>> ReadForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Impersonation.ActAsUserAsync(connection, transaction, userId, cancellationToken);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition(
            $"select {Columns} from public.v_kpi_snapshots where is_active", transaction: transaction, cancellationToken: cancellationToken));
        var cards = ToCards(rows);
        await transaction.RollbackAsync(cancellationToken);
        return cards;
    }

    public async Task<IReadOnlyList<KpiCard>> ReadForRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition(
            $"select {Columns} from private.kpi_snapshots_for_role(@roleName) where is_active", new { roleName }, cancellationToken: cancellationToken));
        return ToCards(rows);
    }

    /// <summary>Every active KPI's cards regardless of permissions: for the worker's own command line only.</summary>
    public async Task<IReadOnlyList<KpiCard>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<SnapshotRow>(new CommandDefinition(
            $"select {Columns} from private.kpi_snapshots_for(array(select name from public.permissions)) where is_active", cancellationToken: cancellationToken));
        return ToCards(rows);
    }

    internal static List<KpiCard> ToCards(IEnumerable<SnapshotRow> rows, int trendLength = 8)
    {
        var cards = new List<KpiCard>();
        foreach (var kpi in rows.GroupBy(r => r.KpiId)
                     .OrderBy(g => Array.IndexOf(DomainOrder, g.First().Domain)).ThenBy(g => g.First().SortOrder).ThenBy(g => g.First().Name, StringComparer.Ordinal))
        {
            var closed = kpi.Where(r => r.PeriodKind == "closed").OrderBy(r => r.PeriodStart).ToList();
            var trend = closed.TakeLast(trendLength)
                .Select(r => new KpiTrendPoint(r.PeriodStart, r.PeriodEnd, r.Value, r.TargetValue, r.Status))
                .ToList();
            if (closed.Count > 0)
            {
                cards.Add(ToCard(closed[^1], trend));
            }

            var toDate = kpi.Where(r => r.PeriodKind == "to_date").MaxBy(r => r.PeriodStart);
            if (toDate is not null && (closed.Count == 0 || toDate.PeriodStart > closed[^1].PeriodStart))
            {
                cards.Add(ToCard(toDate, trend));
            }
        }

        return cards;
    }

    private static KpiCard ToCard(SnapshotRow r, IReadOnlyList<KpiTrendPoint> trend) => new(
        r.KpiId, r.Domain, r.Name, r.Description, r.Unit, r.Direction, r.Grain, r.PeriodKind,
        r.PeriodStart, r.PeriodEnd, r.Value, r.TargetValue, r.Attainment, r.Status,
        r.ComparisonValue, r.Change, r.RevisedFrom, Utc(r.RevisedAt), Utc(r.ComputedAt)!.Value, Utc(r.DataAsOf), r.Error, trend)
    {
        DisplayFormat = r.DisplayFormat,
    };

    private static DateTimeOffset? Utc(DateTime? value) =>
        value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
