using Dapper;
using Npgsql;
using Worker.Kpi;
using Worker.Security;

namespace Worker.Tests.Digest;

/// <summary>
/// Hand-made cards, filtered by the reader's real permissions in the database (a user's role, or a
/// role's), the way the KPI layer's views filter its snapshots. Stands in for the KPI layer's
/// scorecard where a test's numbers must be known exactly.
/// </summary>
internal sealed class PermissionScorecard(NpgsqlDataSource dataSource, IReadOnlyList<KpiCard> cards) : IKpiScorecard
{
    public static readonly IReadOnlyDictionary<string, string> DomainPermission = new Dictionary<string, string>
    {
        ["sales"] = "read_sales_leads",
        ["marketing"] = "read_marketing_data",
        ["operations"] = "read_ops_tickets",
        ["finance"] = "read_finance_data",
    };

    public List<string> Reads { get; } = [];

    public async Task<IReadOnlyList<KpiCard>> ReadForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        lock (Reads)
        {
            Reads.Add("user:" + userId);
        }

        return Filter(await new UserPermissions(dataSource).ForUserAsync(userId, cancellationToken));
    }

    public async Task<IReadOnlyList<KpiCard>> ReadForRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        lock (Reads)
        {
            Reads.Add("role:" + roleName);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var permissions = (await connection.QueryAsync<string>("""
            select p.name from public.roles r join public.role_permissions rp on rp.role_id = r.id join public.permissions p on p.id = rp.permission_id
            where r.name = @roleName
            """, new { roleName })).ToHashSet();
        return Filter(permissions);
    }

    public static IReadOnlyList<KpiCard> Visible(IReadOnlyList<KpiCard> cards, IReadOnlySet<string> permissions) =>
        permissions.Contains("read_kpis") ? [.. cards.Where(c => permissions.Contains(DomainPermission[c.Domain]))] : [];

    private IReadOnlyList<KpiCard> Filter(IReadOnlySet<string> permissions) => Visible(cards, permissions);
}
