using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Database;

namespace Worker.Tests.Database;

public sealed class SeedTests(SeededDatabase db) : IClassFixture<SeededDatabase>
{
    [Fact]
    public async Task Seeding_again_changes_nothing()
    {
        var before = await FingerprintAsync();

        await new Migrator(db.DataSource, TestDatabaseServer.RepositorySupabaseProject, NullLogger<Migrator>.Instance).MigrateAsync(seed: true);

        Assert.Equal(before, await FingerprintAsync());
    }

    [Fact]
    public async Task The_seed_makes_every_view_show_real_numbers()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();

        Assert.Equal(6, await connection.ExecuteScalarAsync<int>("select count(*) from v_sales_pipeline_overview where lead_count > 0"));
        Assert.True(await connection.ExecuteScalarAsync<int>("select count(*) from v_sales_activity_summary where activity_count > 0") >= 2);
        Assert.True(await connection.ExecuteScalarAsync<int>("select count(*) from v_marketing_overview where total_cost > 0 and roi is not null") >= 3);
        Assert.Equal(90, await connection.ExecuteScalarAsync<int>("select count(*) from website_analytics"));
        Assert.Equal(4, await connection.ExecuteScalarAsync<int>("select count(*) from v_finance_ar_summary where invoice_count > 0"));
        Assert.True(await connection.ExecuteScalarAsync<bool>("select sum(open_tickets) > 0 and sum(closed_tickets) > 0 from v_ops_overview"));
        // Every seeded KPI names a function of schema kpi that resolves, each domain has at least three, each has a target.
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "select count(*) from kpi_metrics k cross join lateral kpi.resolve_calculation(k.calculation) r where r.error is not null"));
        Assert.Equal(4, await connection.ExecuteScalarAsync<int>(
            "select count(*) from (select domain from kpi_metrics group by domain having count(*) >= 3) d"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>(
            "select count(*) from kpi_metrics k where not exists (select from kpi_targets t where t.kpi_id = k.id)"));
        Assert.Equal(6, await connection.ExecuteScalarAsync<int>("""
            select count(distinct r.name) from profiles p join roles r on r.id = p.role_id join auth.users u on u.id = p.id
            where u.email like '%@example.com' and u.encrypted_password like '$2%'
            """));
    }

    /// <summary>An md5 over every row of every public table.</summary>
    private async Task<Dictionary<string, string>> FingerprintAsync()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var tables = await connection.QueryAsync<string>("select tablename from pg_tables where schemaname = 'public' order by 1");
        var result = new Dictionary<string, string>();
        foreach (var table in tables)
        {
            result[table] = await connection.ExecuteScalarAsync<string>(
                $"select coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from public.{table} t") ?? "";
        }

        return result;
    }
}
