using Dapper;
using Npgsql;
using Worker.Security;

namespace Worker.Tests.Security;

/// <summary>Named attacks on the security model; each must fail the way the matrix promises.</summary>
public sealed class AttackTests(SeededDatabase db) : IClassFixture<SeededDatabase>
{
    // Seed lead 3 belongs to sales2 (every third lead does), lead 1 to sales.
    private static readonly Guid OthersLead = Actor.SeedId("lead:3");
    private static readonly Guid OwnLead = Actor.SeedId("lead:1");

    [Fact]
    public async Task A_sales_user_can_neither_read_nor_update_another_users_lead()
    {
        await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Sales);

        Assert.Equal(0, await s.Connection.ExecuteScalarAsync<int>("select count(*) from sales_leads where id = @OthersLead", new { OthersLead }, s.Transaction));
        Assert.Equal(0, await s.Connection.ExecuteAsync("update sales_leads set expected_value = 1 where id = @OthersLead", new { OthersLead }, s.Transaction));
        Assert.Equal(0, await s.Connection.ExecuteScalarAsync<int>("select count(*) from sales_activities where lead_id = @OthersLead", new { OthersLead }, s.Transaction));
        Assert.Equal(1, await s.Connection.ExecuteScalarAsync<int>("select count(*) from sales_leads where id = @OwnLead", new { OwnLead }, s.Transaction));
        Assert.True(await s.Connection.ExecuteScalarAsync<bool>("select bool_and(owner_id = @Me) from sales_leads", new { Me = Actor.Sales.UserId }, s.Transaction));
    }

    [Fact]
    public async Task A_sales_user_cannot_insert_a_lead_owned_by_someone_else_nor_give_their_lead_away()
    {
        await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Sales);

        var insert = await s.FailsAsync("insert into sales_leads (owner_id, company, stage_id) values (@Other, 'Sneaky', md5('stage:won')::uuid)", new { Other = Actor.Sales2.UserId });
        var giveAway = await s.FailsAsync("update sales_leads set owner_id = @Other where id = @OwnLead", new { Other = Actor.Sales2.UserId, OwnLead });

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, insert.SqlState);
        Assert.Contains("row-level security", insert.MessageText, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, giveAway.SqlState);
    }

    [Fact]
    public async Task Setting_ones_own_role_to_admin_is_refused_while_changing_ones_name_is_fine()
    {
        await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Sales);

        var escalation = await s.FailsAsync("update profiles set role_id = md5('role:admin')::uuid where id = @Me", new { Me = Actor.Sales.UserId });
        var renamed = await s.Connection.ExecuteAsync("update profiles set full_name = 'Sam S.' where id = @Me", new { Me = Actor.Sales.UserId }, s.Transaction);

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, escalation.SqlState);
        Assert.Equal(1, renamed);
    }

    [Fact]
    public async Task An_admin_may_change_someones_role()
    {
        await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Admin);

        var changed = await s.Connection.ExecuteAsync("update profiles set role_id = md5('role:marketing')::uuid where id = @Sales", new { Sales = Actor.Sales.UserId }, s.Transaction);

        Assert.Equal(1, changed);
    }

    [Fact]
    public async Task Marketing_sees_no_finance_transactions_and_no_finance_kpis()
    {
        await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Marketing);

        Assert.Equal(0, await s.Connection.ExecuteScalarAsync<int>("select count(*) from finance_transactions", transaction: s.Transaction));
        Assert.Equal(["marketing"], await s.Connection.QueryAsync<string>("select distinct domain from kpi_metrics", transaction: s.Transaction));
        Assert.Equal(["marketing"], await s.Connection.QueryAsync<string>("select distinct domain from v_all_kpis", transaction: s.Transaction));
    }

    [Fact]
    public async Task Anon_can_read_no_table_and_no_view()
    {
        var relations = await RelationsAsync("'r', 'v'");
        foreach (var relation in relations)
        {
            await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Anon);

            var error = await s.FailsAsync($"select * from public.{relation} limit 1");

            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        }
    }

    [Fact]
    public async Task A_director_reads_every_domain_but_writes_nothing()
    {
        foreach (var table in (await RelationsAsync("'r'")).Where(t => t is not "audit_logs" and not "profiles"))
        {
            await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Director);

            Assert.True(await s.Connection.ExecuteScalarAsync<int>($"select count(*) from public.{table}", transaction: s.Transaction) > 0, $"director sees no {table}");
            var updated = await s.RowsOrRefusedAsync($"update public.{table} set {(table == "role_permissions" ? "role_id = role_id" : "id = id")}");
            var deleted = await s.RowsOrRefusedAsync($"delete from public.{table}");
            Assert.True(updated is 0 or null, $"director updated {updated} rows of {table}");
            Assert.True(deleted is 0 or null, $"director deleted {deleted} rows of {table}");
        }
    }

    [Fact]
    public async Task Nobody_edits_the_audit_trail_not_even_the_service_role_or_the_owner()
    {
        foreach (var actor in new[] { Actor.Admin, Actor.ServiceRole })
        {
            await using var s = await RolledBack.BeginAsync(db.DataSource, actor);
            var update = await s.FailsAsync("update audit_logs set action = 'DELETE'");
            var delete = await s.FailsAsync("delete from audit_logs");
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, update.SqlState);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, delete.SqlState);
        }

        await using var connection = await db.DataSource.OpenConnectionAsync();
        var asOwner = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("delete from audit_logs"));
        Assert.Contains("append-only", asOwner.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_table_the_API_exposes_has_row_level_security_and_no_materialized_view_is_exposed()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();

        var withoutRls = await connection.QueryAsync<string>(
            "select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') and not relrowsecurity");
        var exposedMatViews = await connection.QueryAsync<string>(
            "select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'm'");
        var policiesCallingHelpersPerRow = await connection.QueryAsync<string>("""
            select tablename || '.' || policyname from pg_policies
            where schemaname = 'public'
              and (coalesce(qual, '') || coalesce(with_check, '')) ~ 'has_permission'
              and (coalesce(qual, '') || coalesce(with_check, '')) !~ 'SELECT private\.has_permission'
            """);

        Assert.Empty(withoutRls);
        Assert.Empty(exposedMatViews);
        Assert.Empty(policiesCallingHelpersPerRow);
    }

    [Fact]
    public async Task Every_column_a_policy_filters_on_is_indexed()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        foreach (var (table, column) in new[] { ("sales_leads", "owner_id"), ("sales_activities", "lead_id"), ("kpi_metrics", "domain"), ("profiles", "role_id"), ("role_permissions", "role_id") })
        {
            var indexed = await connection.ExecuteScalarAsync<bool>("""
                select exists (select from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                               where i.indrelid = ('public.' || @table)::regclass and a.attname = @column)
                """, new { table, column });
            Assert.True(indexed, $"{table}.{column} has no index leading with it");
        }
    }

    private async Task<List<string>> RelationsAsync(string kinds)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<string>($"select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ({kinds}) order by 1")).ToList();
    }
}
