using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Database;
using Worker.Jobs;

namespace Worker.Tests.Digest;

/// <summary>The worker's real services (database, catalogue from jobs/, job runner, digest) without starting Hangfire; the clock is the test's.</summary>
internal sealed class DigestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private DigestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<DigestHost> CreateAsync(string connectionString, DateTimeOffset now, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Database"] = connectionString });
        builder.Configuration.AddInMemoryCollection(settings);
        var contentRoot = Worker.Hosting.ContentRoot.Locate();
        var endpoint = await DatabaseEndpoint.ResolveAsync(builder.Configuration, contentRoot, NullLogger.Instance);
        builder.Services.AddWorkerDatabase(endpoint, contentRoot);
        builder.Services.AddWorkerJobs(endpoint, contentRoot);
        builder.Services.AddSingleton<TimeProvider>(new FixedTime(now));
        configure?.Invoke(builder.Services);
        return new DigestHost(builder.Build());
    }

    /// <summary>Runs the catalogue's kpi-digest job as Hangfire or <c>Worker run</c> would.</summary>
    public async Task<JobSummary> RunDigestAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobRunner>().RunAsync("kpi-digest", "manual", null, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await Task.CompletedTask;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
