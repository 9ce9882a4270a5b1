using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Worker.Database;

namespace Worker.Tests.Database;

public sealed class MigratorTests
{
    private static Migrator MigratorFor(NpgsqlDataSource dataSource, SupabaseProject? project = null) =>
        new(dataSource, project ?? TestDatabaseServer.RepositorySupabaseProject, NullLogger<Migrator>.Instance);

    [Fact]
    public async Task A_fresh_database_gets_every_migration_recorded_as_the_Supabase_CLI_records_it()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);
        var files = TestDatabaseServer.RepositorySupabaseProject.Migrations();

        var report = await MigratorFor(db.DataSource).MigrateAsync(seed: false);

        Assert.Equal(files.Select(f => "migration " + f.Script.Name), report.Applied.Where(a => a.StartsWith("migration", StringComparison.Ordinal)));
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var history = (await connection.QueryAsync<(string Version, string Name, int Statements)>(
            "select version, name, cardinality(statements) from supabase_migrations.schema_migrations order by version")).ToList();
        Assert.Equal(files.Select(f => (f.Version, f.Name)), history.Select(h => (h.Version, h.Name)));
        Assert.All(history, h => Assert.True(h.Statements > 0, $"{h.Version} recorded no statements"));
        Assert.Contains("0001", history.Select(h => h.Version));
        Assert.Contains(("0502", "kpi_views"), history.Select(h => (h.Version, h.Name)));
    }

    [Fact]
    public async Task A_second_run_applies_nothing_and_says_so()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);

        var report = await MigratorFor(db.DataSource).MigrateAsync(seed: false);

        Assert.True(report.NothingApplied, string.Join(", ", report.Applied));
        Assert.Contains("Database is up to date: nothing to apply.", report.Notes);
        Assert.Empty(await MigratorFor(db.DataSource).PendingMigrationsAsync());
    }

    [Fact]
    public async Task Two_migrators_at_once_apply_each_script_once()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);
        await using var otherDataSource = NpgsqlDataSource.Create(db.ConnectionString);

        var reports = await Task.WhenAll(
            MigratorFor(db.DataSource).MigrateAsync(seed: false),
            MigratorFor(otherDataSource).MigrateAsync(seed: false));

        var migrationCount = TestDatabaseServer.RepositorySupabaseProject.Migrations().Count;
        Assert.Equal(migrationCount, reports.Sum(r => r.Applied.Count(a => a.StartsWith("migration", StringComparison.Ordinal))));
        Assert.Contains(reports, r => r.NothingApplied);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(migrationCount, await connection.ExecuteScalarAsync<int>("select count(*) from supabase_migrations.schema_migrations"));
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_stops_the_run_naming_the_file()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);
        using var folder = new TemporarySupabaseProject()
            .Write("migrations/0001_first.sql", "create table public.first (id int);");
        await MigratorFor(db.DataSource, folder.Project).MigrateAsync(seed: false);
        folder.Write("migrations/0001_first.sql", "create table public.first (id bigint);")
              .Write("migrations/0002_second.sql", "create table public.second (id int);");

        var error = await Assert.ThrowsAsync<MigrationException>(() => MigratorFor(db.DataSource, folder.Project).MigrateAsync(seed: false));

        Assert.Contains("supabase/migrations/0001_first.sql was changed after it was applied", error.Message, StringComparison.Ordinal);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.False(await connection.ExecuteScalarAsync<bool>("select to_regclass('public.second') is not null"));
    }

    [Fact]
    public async Task A_failing_script_rolls_back_and_names_file_line_column_and_PostgreSQL_message()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);
        using var folder = new TemporarySupabaseProject()
            .Write("migrations/0001_good.sql", "create table public.good (id int);")
            .Write("migrations/0002_bad.sql", "create table public.half (id int);\n\ninsert into public.half\n  select id from public.missing;\n");

        var error = await Assert.ThrowsAsync<MigrationException>(() => MigratorFor(db.DataSource, folder.Project).MigrateAsync(seed: false));

        Assert.StartsWith("supabase/migrations/0002_bad.sql:4:", error.Message, StringComparison.Ordinal);
        Assert.Contains("relation \"public.missing\" does not exist (SQLSTATE 42P01)", error.Message, StringComparison.Ordinal);
        Assert.Contains("statement starting at line 3", error.Message, StringComparison.Ordinal);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.True(await connection.ExecuteScalarAsync<bool>("select to_regclass('public.good') is not null"));
        Assert.False(await connection.ExecuteScalarAsync<bool>("select to_regclass('public.half') is not null"));
        Assert.Equal(new[] { "0001" }, await connection.QueryAsync<string>("select version from supabase_migrations.schema_migrations"));
    }

    [Fact]
    public async Task A_migration_the_Supabase_CLI_already_applied_is_not_applied_again()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);
        using var folder = new TemporarySupabaseProject()
            .Write("migrations/20240101000000_cli.sql", "create table public.from_cli (id int);");
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            // What `supabase db push` leaves behind: the table and its history row, no checksum of ours.
            await connection.ExecuteAsync("""
                create schema supabase_migrations;
                create table supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text);
                create table public.from_cli (id int);
                insert into supabase_migrations.schema_migrations values ('20240101000000', array['create table public.from_cli (id int)'], 'cli');
                """);
        }

        var report = await MigratorFor(db.DataSource, folder.Project).MigrateAsync(seed: false);

        Assert.True(report.NothingApplied);
    }

    [Fact]
    public async Task Policies_are_applied_again_when_they_change_and_not_otherwise()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Empty);
        using var folder = new TemporarySupabaseProject()
            .Write("migrations/0001_t.sql", "create table public.t (id int);")
            .Write("policies/01_t.sql", "comment on table public.t is 'first';");
        var migrator = MigratorFor(db.DataSource, folder.Project);
        Assert.Contains("policy 01_t.sql", (await migrator.MigrateAsync(seed: false)).Applied);
        Assert.True((await migrator.MigrateAsync(seed: false)).NothingApplied);

        folder.Write("policies/01_t.sql", "comment on table public.t is 'second';");
        var report = await migrator.MigrateAsync(seed: false);

        Assert.Equal(new[] { "policy 01_t.sql" }, report.Applied);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal("second", await connection.ExecuteScalarAsync<string>("select obj_description('public.t'::regclass)"));
    }
}
