using Npgsql;

namespace Worker.Database;

/// <summary>
/// Caps on the connections one worker process opens: its own pool (Database:MaxPoolSize) and
/// Hangfire's (one per Hangfire worker, plus its server's own components), so that every worker's
/// share fits below the server's max_connections.
/// </summary>
public static class DatabasePool
{
    /// <summary>Hangfire's connections besides one per worker: heartbeat, schedulers, expiration, the dashboard.</summary>
    public const int HangfireBesideWorkers = 5;

    public static string Sized(string connectionString, int maxPoolSize) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = maxPoolSize, MinPoolSize = 0 }.ConnectionString;
}
