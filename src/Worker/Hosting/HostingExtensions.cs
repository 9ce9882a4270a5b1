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

    /// <summary>The development port, used only when nothing else says where to listen.</summary>
    public const string DevelopmentUrl = "http://localhost:5080";

    /// <summary>
    /// Where the host listens is ASP.NET Core's business: <c>--urls</c>, then <c>ASPNETCORE_URLS</c>, then
    /// <c>ASPNETCORE_HTTP_PORTS</c>/<c>ASPNETCORE_HTTPS_PORTS</c> (the container convention), or Kestrel
    /// endpoints in configuration. Only when none is given, in Development, the worker takes port 5080
    /// (appsettings.json sets no <c>Urls</c>, which would silently override them all).
    /// </summary>
    public static WebApplicationBuilder UseDevelopmentPortUnlessConfigured(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var configured = !string.IsNullOrEmpty(configuration["urls"])
            || !string.IsNullOrEmpty(configuration["http_ports"])
            || !string.IsNullOrEmpty(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!configured && builder.Environment.IsDevelopment())
        {
            builder.WebHost.UseUrls(DevelopmentUrl);
        }

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
