using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;
using Worker.Database;
using Worker.Hosting;

namespace Worker.Tests;

/// <summary>
/// The one PostgreSQL server all tests share: WORKER_TEST_DATABASE if set, else a throwaway cluster
/// from the local server binaries, else a Testcontainers container (for those who have Docker).
/// Each test class gets its own database, cloned from a template that was migrated once.
/// </summary>
public sealed class TestDatabaseServer
{
    public const string EnvironmentVariable = "WORKER_TEST_DATABASE";

    private static readonly Lazy<Task<TestDatabaseServer>> Shared = new(StartAsync);
    private readonly string _adminConnectionString;
    private readonly string _runPrefix = $"wt{Environment.ProcessId}_";
    private readonly Lazy<Task<string>> _migratedTemplate;
    private readonly Lazy<Task<string>> _seededTemplate;
    private int _databaseCounter;

    private TestDatabaseServer(string adminConnectionString)
    {
        _adminConnectionString = adminConnectionString;
        _migratedTemplate = new(() => CreateTemplateAsync("migrated", seed: false));
        _seededTemplate = new(() => CreateTemplateAsync("seeded", seed: true));
    }

    public static Task<TestDatabaseServer> InstanceAsync() => Shared.Value;

    public static SupabaseProject RepositorySupabaseProject { get; } = new(Path.Combine(ContentRoot.Locate(), "supabase"));

    /// <summary>A new database: empty, migrated (no seed), or migrated and seeded.</summary>
    public async Task<string> CreateDatabaseAsync(DatabaseContent content)
    {
        var name = _runPrefix + Interlocked.Increment(ref _databaseCounter);
        var template = content switch
        {
            DatabaseContent.Empty => "template0",
            DatabaseContent.Migrated => await _migratedTemplate.Value,
            _ => await _seededTemplate.Value,
        };
        await ExecuteAdminAsync($"create database {LocalPostgresCluster.QuoteIdentifier(name)} template {LocalPostgresCluster.QuoteIdentifier(template)}");
        return ConnectionStringFor(name);
    }

    public Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        return ExecuteAdminAsync($"drop database if exists {LocalPostgresCluster.QuoteIdentifier(name)} with (force)");
    }

    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = database }.ConnectionString;

    private async Task<string> CreateTemplateAsync(string kind, bool seed)
    {
        var name = _runPrefix + "template_" + kind;
        await ExecuteAdminAsync($"create database {LocalPostgresCluster.QuoteIdentifier(name)} template template0");
        // No pooling: CREATE DATABASE ... TEMPLATE refuses while anyone is connected to the template.
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionStringFor(name)) { Pooling = false }.ConnectionString;
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            var migrator = new Migrator(dataSource, RepositorySupabaseProject, NullLogger<Migrator>.Instance);
            await migrator.MigrateAsync(seed);
        }

        return name;
    }

    private async Task ExecuteAdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private const string ClusterFolderPrefix = "worker-tests-";

    /// <summary>
    /// The test host may be ended before its exit handler deletes the cluster folder; folders of runs
    /// whose process is gone and whose server is stopped are removed here instead.
    /// </summary>
    private static void SweepClustersOfEndedRuns()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), ClusterFolderPrefix + "*"))
        {
            var pidText = Path.GetFileName(folder)[ClusterFolderPrefix.Length..].Split('-')[0];
            if (!int.TryParse(pidText, out var pid) || ProcessIsAlive(pid) || File.Exists(Path.Combine(folder, "postmaster.pid")))
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another run may be sweeping the same folder.
            }
        }
    }

    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<TestDatabaseServer> StartAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new TestDatabaseServer(fromEnvironment);
        }

        if (LocalPostgresCluster.FindBinDirectory() is not null)
        {
            SweepClustersOfEndedRuns();
            var directory = Path.Combine(Path.GetTempPath(), $"{ClusterFolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            var cluster = await LocalPostgresCluster.StartAsync(directory, throwaway: true, NullLogger.Instance);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return new TestDatabaseServer(cluster.ConnectionString("postgres"));
        }

        if (DotNet.Testcontainers.Configurations.TestcontainersSettings.OS.DockerEndpointAuthConfig is null)
        {
            throw new InvalidOperationException(
                $"No test database: set {EnvironmentVariable} to a connection string (a role that may create databases), " +
                "install the PostgreSQL server binaries (initdb, pg_ctl, postgres), or run a Docker engine for Testcontainers.");
        }

        var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
        await container.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return new TestDatabaseServer(new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = "postgres" }.ConnectionString);
    }
}

public enum DatabaseContent
{
    Empty,
    Migrated,
    Seeded,
}
