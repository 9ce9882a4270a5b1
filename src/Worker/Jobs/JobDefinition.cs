using System.Text.Json;

namespace Worker.Jobs;

/// <summary>One file of jobs/: a recurring job as ops declared it.</summary>
public sealed record JobDefinition(
    string Id,
    string Type,
    string Cron,
    TimeZoneInfo TimeZone,
    string Queue,
    bool Enabled,
    RetryPolicy Retry,
    object Parameters,
    string File);

/// <summary>How often a failed run is tried again, and after how long; then it fails for good.</summary>
public sealed record RetryPolicy(int Attempts, IReadOnlyList<int> DelaysSeconds)
{
    public static readonly RetryPolicy None = new(0, []);

    /// <summary>The delay before retry number <paramref name="retry"/> (1-based); the last delay repeats.</summary>
    public TimeSpan DelayBefore(int retry) =>
        TimeSpan.FromSeconds(DelaysSeconds.Count == 0 ? 60 : DelaysSeconds[Math.Min(retry, DelaysSeconds.Count) - 1]);
}

/// <summary>What a job run did: counts for the run history and the dashboard, and its own details.</summary>
public sealed record JobSummary(long RowsRead, long RowsWritten, IReadOnlyDictionary<string, object?> Details)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);
}

/// <summary>The queues, named so that Hangfire's alphabetical processing order is their priority order.</summary>
public static class Queues
{
    public const string Alerts = "a_alerts";
    public const string Ingest = "b_ingest";
    public const string Kpi = "c_kpi";
    public const string Maintenance = "d_maintenance";

    public static readonly string[] All = [Alerts, Ingest, Kpi, Maintenance];
}

/// <summary>Bad input to a job (a file, a parameter): retrying cannot heal it, so it is never retried.</summary>
public sealed class JobInputException(string message) : Exception(message);
