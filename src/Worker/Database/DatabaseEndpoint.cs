using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Worker.Database;

/// <summary>
/// The database the worker talks to: the configured one, or else the embedded local cluster, which
/// this object starts or joins and, when disposed, leaves (the last process to leave stops it).
/// </summary>
public sealed class DatabaseEndpoint : IAsyncDisposable
{
    private readonly LocalPostgresCluster? _embedded;

    private DatabaseEndpoint(string connectionString, LocalPostgresCluster? embedded)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
    }

    public string ConnectionString { get; }

    public bool IsEmbedded => _embedded is not null;

    /// <summary>Host, port and database only, never the password: safe for logs and pages.</summary>
    public string Description
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database}" + (IsEmbedded ? " (embedded)" : "");
        }
    }

    public static async Task<DatabaseEndpoint> ResolveAsync(IConfiguration configuration, string contentRoot, ILogger logger, CancellationToken cancellationToken = default)
    {
        var configured = configuration.GetConnectionString("Database");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new DatabaseEndpoint(WithApplicationName(configured), embedded: null);
        }

        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);

        var dataDirectory = Path.Combine(contentRoot, options.EmbeddedDataDirectory);
        var cluster = await LocalPostgresCluster.StartAsync(dataDirectory, throwaway: false, logger, cancellationToken);
        try
        {
            await cluster.EnsureDatabaseAsync(options.EmbeddedDatabaseName, cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new DatabaseEndpoint(WithApplicationName(cluster.ConnectionString(options.EmbeddedDatabaseName)), cluster);
    }

    private static string WithApplicationName(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.ApplicationName ??= "etl-kpi-worker";
        return builder.ConnectionString;
    }

    public ValueTask DisposeAsync() => _embedded?.DisposeAsync() ?? ValueTask.CompletedTask;
}
