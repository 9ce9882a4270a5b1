using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Worker.Database;

/// <summary>What one migrator run did, line by line, for people to read.</summary>
public sealed record MigrationReport(IReadOnlyList<string> Applied, IReadOnlyList<string> Notes)
{
    public bool NothingApplied => Applied.Count == 0;
}

/// <summary>A script failed or an applied migration changed; the message names the file and line.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Applies supabase/migrations (recorded in supabase_migrations.schema_migrations exactly as the
/// Supabase CLI records them, so either tool sees the other's work), then supabase/policies, then,
/// when asked, supabase/seed. One migrator at a time per database, by advisory lock.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource, SupabaseProject project, ILogger<Migrator> logger)
{
    // Names "the worker's migrator" among the database's advisory locks (ASCII "MIGRATE").
    private const long AdvisoryLockKey = 0x4D49_4752_4154_45;

    // The CLI's history table, created the way the CLI creates it; our own checksums sit beside it
    // because the CLI keeps none.
    private const string CreateHistoryTables = """
        create schema if not exists supabase_migrations;
        create table if not exists supabase_migrations.schema_migrations (version text not null primary key, statements text[], name text);
        create schema if not exists worker;
        create table if not exists worker.script_history (
          kind text not null check (kind in ('migration', 'policy', 'seed')),
          name text not null,
          sha256 text not null,
          applied_at timestamptz not null default now(),
          primary key (kind, name));
        """;

    private const string RecordScript = """
        insert into worker.script_history (kind, name, sha256) values (@kind, @name, @sha256)
        on conflict (kind, name) do update set sha256 = excluded.sha256, applied_at = now()
        """;

    public async Task<MigrationReport> MigrateAsync(bool seed, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("select pg_advisory_lock(@key)", new { key = AdvisoryLockKey });
        try
        {
            var applied = new List<string>();
            var notes = new List<string>();

            await ExecuteScriptAsync(connection, SqlScript.FromResource("Database/SupabaseShim.sql"), afterSuccess: null, cancellationToken);
            await connection.ExecuteAsync(CreateHistoryTables);

            var migrationsApplied = await ApplyMigrationsAsync(connection, applied, notes, cancellationToken);
            await ApplyPoliciesAsync(connection, force: migrationsApplied > 0, applied, cancellationToken);
            if (seed)
            {
                await ApplySeedAsync(connection, applied, cancellationToken);
            }

            if (applied.Count == 0)
            {
                notes.Add("Database is up to date: nothing to apply.");
            }

            return new MigrationReport(applied, notes);
        }
        finally
        {
            await connection.ExecuteAsync("select pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
        }
    }

    /// <summary>Migration files not yet recorded in the CLI's history (the readiness check uses it).</summary>
    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var historyExists = await connection.ExecuteScalarAsync<bool>("select to_regclass('supabase_migrations.schema_migrations') is not null");
        var appliedVersions = historyExists
            ? (await connection.QueryAsync<string>("select version from supabase_migrations.schema_migrations")).ToHashSet()
            : [];
        return project.MigrationVersions().Where(m => !appliedVersions.Contains(m.Version)).Select(m => m.FileName).ToList();
    }

    private async Task<int> ApplyMigrationsAsync(NpgsqlConnection connection, List<string> applied, List<string> notes, CancellationToken cancellationToken)
    {
        var history = (await connection.QueryAsync<string>("select version from supabase_migrations.schema_migrations")).ToHashSet();
        var checksums = (await connection.QueryAsync<(string Name, string Sha256)>(
            "select name, sha256 from worker.script_history where kind = 'migration'")).ToDictionary(x => x.Name, x => x.Sha256);

        foreach (var ignored in project.IgnoredMigrationFiles())
        {
            notes.Add($"Skipped supabase/migrations/{ignored}: the name does not match <version>_<name>.sql.");
        }

        var files = project.Migrations();
        foreach (var orphan in history.Except(files.Select(f => f.Version)).Order(StringComparer.Ordinal))
        {
            notes.Add($"Version {orphan} is recorded as applied but has no file in supabase/migrations.");
        }

        var count = 0;
        foreach (var migration in files)
        {
            var script = migration.Script;
            if (history.Contains(migration.Version))
            {
                if (!checksums.TryGetValue(script.Name, out var recorded))
                {
                    // Applied by the Supabase CLI, which keeps no checksum: remember this one from now on.
                    await connection.ExecuteAsync(RecordScript, new { kind = "migration", name = script.Name, sha256 = script.Sha256 });
                }
                else if (recorded != script.Sha256)
                {
                    throw new MigrationException(
                        $"{script.Path} was changed after it was applied (applied sha256 {recorded[..12]}…, file now {script.Sha256[..12]}…). " +
                        "An applied migration must not change: restore it and put the change in a new migration.");
                }

                continue;
            }

            await ExecuteScriptAsync(connection, script, async tx =>
            {
                await connection.ExecuteAsync(
                    "insert into supabase_migrations.schema_migrations (version, name, statements) values (@version, @name, @statements)",
                    new { version = migration.Version, name = migration.Name, statements = script.Statements.Select(s => s.Text).ToArray() }, tx);
                await connection.ExecuteAsync(RecordScript, new { kind = "migration", name = script.Name, sha256 = script.Sha256 }, tx);
            }, cancellationToken);

            MigratorLog.AppliedScript(logger, script.Path);
            applied.Add($"migration {script.Name}");
            count++;
        }

        return count;
    }

    /// <summary>
    /// Policies are re-applicable scripts: all of them run again, together, when any of them changed
    /// or a migration ran (a migration may have recreated a table and with it lost its policies).
    /// </summary>
    private async Task ApplyPoliciesAsync(NpgsqlConnection connection, bool force, List<string> applied, CancellationToken cancellationToken)
    {
        var policies = project.Policies();
        var recorded = (await connection.QueryAsync<(string Name, string Sha256)>(
            "select name, sha256 from worker.script_history where kind = 'policy'")).ToDictionary(x => x.Name, x => x.Sha256);
        var changed = policies.Count != recorded.Count
            || policies.Any(p => !recorded.TryGetValue(p.Name, out var sha) || sha != p.Sha256);
        if (!force && !changed)
        {
            return;
        }

        await ExecuteScriptsAsync(connection, policies, "policy", cancellationToken);
        await connection.ExecuteAsync("delete from worker.script_history where kind = 'policy' and not (name = any(@names))",
            new { names = policies.Select(p => p.Name).ToArray() });
        applied.AddRange(policies.Select(p => $"policy {p.Name}"));
    }

    /// <summary>Seed scripts are idempotent, so they run every time seeding is asked for.</summary>
    private async Task ApplySeedAsync(NpgsqlConnection connection, List<string> applied, CancellationToken cancellationToken)
    {
        var seed = project.Seed();
        await ExecuteScriptsAsync(connection, seed, "seed", cancellationToken);
        applied.AddRange(seed.Select(s => $"seed {s.Name}"));
    }

    private async Task ExecuteScriptsAsync(NpgsqlConnection connection, IReadOnlyList<SqlScript> scripts, string kind, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var script in scripts)
        {
            await ExecuteStatementsAsync(connection, tx, script, cancellationToken);
            await connection.ExecuteAsync(RecordScript, new { kind, name = script.Name, sha256 = script.Sha256 }, tx);
            MigratorLog.AppliedScript(logger, script.Path);
        }

        await tx.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteScriptAsync(NpgsqlConnection connection, SqlScript script, Func<NpgsqlTransaction, Task>? afterSuccess, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteStatementsAsync(connection, tx, script, cancellationToken);
        if (afterSuccess is not null)
        {
            await afterSuccess(tx);
        }

        await tx.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteStatementsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, SqlScript script, CancellationToken cancellationToken)
    {
        foreach (var statement in script.Statements)
        {
            try
            {
                await using var command = new NpgsqlCommand(statement.Text, connection, tx);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex)
            {
                // PostgreSQL's position is 1-based within the statement; turn it into the file's line and column.
                var offset = statement.Offset + Math.Max(ex.Position - 1, 0);
                var (line, column) = script.LineAndColumn(offset);
                var (statementLine, _) = script.LineAndColumn(statement.Offset);
                throw new MigrationException(
                    $"{script.Path}:{line}:{column}: {ex.MessageText} (SQLSTATE {ex.SqlState}) in the statement starting at line {statementLine}; " +
                    "nothing of this script was applied.", ex);
            }
        }
    }
}

internal static partial class MigratorLog
{
    [LoggerMessage(1101, LogLevel.Information, "Applied {Script}")]
    public static partial void AppliedScript(ILogger logger, string script);
}
