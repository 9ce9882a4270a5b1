using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Worker.Database;

namespace Worker.Benchmarks;

/// <summary>A freshly migrated database (no seed) for one benchmark run.</summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly LocalPostgresCluster? _cluster;

    private BenchmarkDatabase(LocalPostgresCluster? cluster, string connectionString)
    {
        _cluster = cluster;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<BenchmarkDatabase> CreateAsync(SupabaseProject project, ILogger logger)
    {
        var server = Environment.GetEnvironmentVariable("WORKER_BENCH_DATABASE");
        LocalPostgresCluster? cluster = null;
        if (string.IsNullOrWhiteSpace(server))
        {
            // Not a throwaway cluster: fsync and full page writes stay on, as on a real server.
            cluster = await LocalPostgresCluster.StartAsync(
                Path.Combine(Path.GetTempPath(), "worker-bench-" + Guid.NewGuid().ToString("N")[..8]), throwaway: false, logger);
            server = cluster.ConnectionString("postgres");
        }

        var name = "worker_bench_" + Environment.ProcessId;
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"drop database if exists {name}; create database {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        var database = new BenchmarkDatabase(cluster, connectionString);
        await new Migrator(database.DataSource, project, NullLogger<Migrator>.Instance).MigrateAsync(seed: false);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            Directory.Delete(_cluster.DataDirectory, recursive: true);
        }
    }
}
