using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Worker.Database;

/// <summary>Ready when the database answers and every migration file has been applied.</summary>
internal sealed class DatabaseReadyCheck(Migrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = await migrator.PendingMigrationsAsync(cancellationToken);
            return pending.Count == 0
                ? HealthCheckResult.Healthy("Database reachable; migrations current.")
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) pending, first {pending[0]}.");
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Database unreachable: " + ex.Message);
        }
    }
}
