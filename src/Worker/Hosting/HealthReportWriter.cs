using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Worker.Hosting;

/// <summary>Writes each check's status and description as JSON, so ops see why a worker is not ready.</summary>
internal static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
