namespace Worker.Alerts;

public enum AlertKind
{
    Failed,
    Recovered,
}

/// <summary>One message to ops about one job. Only primitives, as it travels as a Hangfire job argument.</summary>
public sealed record Alert(AlertKind Kind, string JobId, string? HangfireJobId, string? Error, DateTime At)
{
    public string Subject => Kind == AlertKind.Failed
        ? $"[worker] Job {JobId} failed"
        : $"[worker] Job {JobId} recovered";

    public string Text(string dashboardUrl)
    {
        var link = dashboardUrl.Length > 0 && HangfireJobId is not null ? $"\nDetails: {dashboardUrl.TrimEnd('/')}/jobs/details/{HangfireJobId}" : "";
        return Kind == AlertKind.Failed
            ? $"Job {JobId} failed at {At:yyyy-MM-dd HH:mm:ss} UTC after its retries ran out.\nError: {Error}{link}\nFurther failures within the grace period are not alerted."
            : $"Job {JobId} succeeded again at {At:yyyy-MM-dd HH:mm:ss} UTC.{link}";
    }
}
