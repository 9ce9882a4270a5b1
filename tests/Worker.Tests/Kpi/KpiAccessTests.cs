using Dapper;
using Worker.Kpi;
using Worker.Security;

namespace Worker.Tests.Kpi;

/// <summary>Who reads which KPIs: the database's rules, through the scorecard and the exposed views.</summary>
public sealed class KpiAccessTests
{
    private static readonly Guid SalesUser = new("00000000-0000-0000-0000-00000000aa01");
    private static readonly Guid DirectorUser = new("00000000-0000-0000-0000-00000000aa02");

    internal static async Task<ScratchDatabase> SnapshottedWithUsersAsync()
    {
        var db = await KpiData.CreateAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            insert into auth.users (id, email) values (@SalesUser, 'sales@test'), (@DirectorUser, 'director@test');
            update profiles set role_id = md5('role:sales')::uuid where id = @SalesUser;
            update profiles set role_id = md5('role:director')::uuid where id = @DirectorUser;
            """, new { SalesUser, DirectorUser });
        await KpiData.SnapshotJob(db.DataSource, new FixedClock(KpiData.March11)).SnapshotAsync(null, CancellationToken.None);
        return db;
    }

    [Fact]
    public async Task A_sales_user_sees_only_sales_kpis_and_a_director_sees_every_domain()
    {
        await using var db = await SnapshottedWithUsersAsync();
        var scorecard = new KpiScorecard(db.DataSource);

        var sales = await scorecard.ReadForUserAsync(SalesUser, CancellationToken.None);
        var director = await scorecard.ReadForUserAsync(DirectorUser, CancellationToken.None);

        Assert.Equal(["sales"], sales.Select(c => c.Domain).Distinct());
        Assert.Equal(10, sales.Count);                               // 5 KPIs: February closed and March to date
        Assert.Equal(["sales", "marketing", "operations", "finance"], director.Select(c => c.Domain).Distinct());
        Assert.Equal(38, director.Count);
        var won = director.Single(c => c.Name == "Won value" && c.PeriodKind == "closed");
        Assert.Equal((new DateOnly(2026, 2, 1), 4000m, 60000m, "red"), (won.PeriodStart, won.Value!.Value, won.Target!.Value, won.Status));
        Assert.Equal(3, won.Trend.Count);                            // December, January, February, oldest first
        Assert.Equal(new DateOnly(2025, 12, 1), won.Trend[0].PeriodStart);
        Assert.NotNull(won.DataAsOf);
    }

    [Fact]
    public async Task Reading_for_a_role_applies_the_same_domain_rule()
    {
        await using var db = await SnapshottedWithUsersAsync();
        var scorecard = new KpiScorecard(db.DataSource);

        Assert.Equal(["marketing"], (await scorecard.ReadForRoleAsync("marketing", CancellationToken.None)).Select(c => c.Domain).Distinct());
        Assert.Equal(4, (await scorecard.ReadForRoleAsync("director", CancellationToken.None)).Select(c => c.Domain).Distinct().Count());
        Assert.Empty(await scorecard.ReadForRoleAsync("no_such_role", CancellationToken.None));
    }

    [Fact]
    public async Task The_exposed_views_filter_by_domain_and_the_kpi_schema_is_refused_to_api_roles()
    {
        await using var db = await SnapshottedWithUsersAsync();

        await using (var s = await RolledBack.BeginAsync(db.DataSource))
        {
            await Impersonation.ActAsUserAsync(s.Connection, s.Transaction, SalesUser);
            Assert.Equal(["sales"], await s.QueryAsync<string>("select distinct domain from v_kpi_snapshots"));
            Assert.Equal(["sales"], await s.QueryAsync<string>("select distinct domain from v_all_kpis where value is not null"));
            foreach (var relation in new[] { "kpi.sales_daily", "kpi.snapshots", "kpi.snapshot_revisions", "kpi.view_refreshes" })
            {
                Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, (await s.FailsAsync($"select * from {relation}")).SqlState);
            }

            // The permission-taking function is not callable: a caller cannot claim permissions it lacks.
            Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege,
                (await s.FailsAsync("select * from private.kpi_snapshots_for(array['read_kpis', 'read_finance_data'])")).SqlState);
        }

        await using (var anon = await RolledBack.BeginAsync(db.DataSource, Worker.Tests.Security.Actor.Anon))
        {
            Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, (await anon.FailsAsync("select * from v_kpi_snapshots")).SqlState);
        }
    }
}
