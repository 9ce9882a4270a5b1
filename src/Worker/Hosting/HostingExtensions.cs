using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;

namespace Worker.Hosting;

public static class HostingExtensions
{
    /// <summary>Serilog, configured from the "Serilog" section of appsettings.json in one place.</summary>
    public static WebApplicationBuilder AddWorkerLogging(this WebApplicationBuilder builder)
    {
        Log.Logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .CreateLogger();
        builder.Services.AddSerilog();
        return builder;
    }

    /// <summary>/health/live answers while the process runs; /health/ready checks what jobs need.</summary>
    public static WebApplication MapWorkerHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = HealthReportWriter.WriteAsync,
        });
        return app;
    }
}
