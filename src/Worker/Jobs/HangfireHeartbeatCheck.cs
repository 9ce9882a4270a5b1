using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Worker.Jobs;

/// <summary>Ready when a Hangfire server of this process has sent a heartbeat within the last minute.</summary>
internal sealed class HangfireHeartbeatCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var prefix = ServerName.ForThisProcess;
        var servers = storage.GetMonitoringApi().Servers();
        var ours = servers.FirstOrDefault(s => s.Name.StartsWith(prefix, StringComparison.Ordinal));
        return Task.FromResult(ours?.Heartbeat is { } beat && DateTime.UtcNow - beat < TimeSpan.FromMinutes(1)
            ? HealthCheckResult.Healthy($"Hangfire server {ours.Name} last beat {beat:O}; {servers.Count} server(s) in all.")
            : HealthCheckResult.Unhealthy($"No recent heartbeat from this process's Hangfire server ({servers.Count} server(s) known)."));
    }
}

internal static class ServerName
{
    /// <summary>Hangfire appends its own suffix to this: machine and process id identify a worker.</summary>
    public static readonly string ForThisProcess = $"{Environment.MachineName.ToLowerInvariant()}:{Environment.ProcessId}";
}
