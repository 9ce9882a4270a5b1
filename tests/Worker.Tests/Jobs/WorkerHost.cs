using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Database;
using Worker.Jobs;

namespace Worker.Tests.Jobs;

/// <summary>
/// The worker's real job services (Hangfire server on PostgreSQL, catalogue, runner, retry filter)
/// in a generic host, with a catalogue and job types of the test's own and fast polling.
/// </summary>
internal sealed class WorkerHost : IAsyncDisposable
{
    private readonly IHost _host;

    private WorkerHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IBackgroundJobClientV2 Client => Services.GetRequiredService<IBackgroundJobClientV2>();

    public JobCatalogue Catalogue => Services.GetRequiredService<JobCatalogue>();

    public static async Task<WorkerHost> StartAsync(string connectionString, string catalogueDirectory, Action<IServiceCollection> addJobTypes,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Database"] = connectionString,
            ["Hangfire:CatalogueDirectory"] = catalogueDirectory,
            ["Hangfire:QueuePollIntervalSeconds"] = "0.1",
            ["Hangfire:SchedulePollingIntervalSeconds"] = "0.2",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var contentRoot = Worker.Hosting.ContentRoot.Locate();
        var endpoint = await DatabaseEndpoint.ResolveAsync(builder.Configuration, contentRoot, NullLogger.Instance);
        builder.Services.AddWorkerDatabase(endpoint, contentRoot);
        builder.Services.AddWorkerJobs(endpoint, contentRoot);
        addJobTypes(builder.Services);
        var host = builder.Build();
        host.Services.GetRequiredService<CatalogueScheduler>().Synchronise();
        await host.StartAsync();
        return new WorkerHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        // AddHangfire points Hangfire's static log provider at this host's logger factory, now disposed.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
    }
}

/// <summary>
/// Hangfire keeps process-wide state (log provider, global filters, JobStorage.Current), so the test
/// classes that start Hangfire run one after another, never in parallel with each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HangfireCollection
{
    public const string Name = "Hangfire";
}

/// <summary>Completes when a job reaches a final state: the signal tests wait on instead of sleeping.</summary>
internal sealed class FinalStateSignal : JobFilterAttribute, IApplyStateFilter
{
    // Last among the filters, so the worker's own (alert decisions) have run when a test wakes up.
    public FinalStateSignal() => Order = int.MaxValue;

    private readonly Dictionary<string, TaskCompletionSource<string>> _waits = [];

    public static FinalStateSignal Install()
    {
        var signal = new FinalStateSignal();
        GlobalJobFilters.Filters.Add(signal);
        return signal;
    }

    public Task<string> WaitAsync(string backgroundJobId, TimeSpan timeout)
    {
        lock (_waits)
        {
            if (!_waits.TryGetValue(backgroundJobId, out var wait))
            {
                _waits[backgroundJobId] = wait = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return wait.Task.WaitAsync(timeout);
        }
    }

    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is SucceededState or FailedState)
        {
            // The state is final once its transaction commits; completing on commit would need a hook
            // Hangfire does not have, so waiters re-read what they need from storage.
            lock (_waits)
            {
                if (!_waits.TryGetValue(context.BackgroundJob.Id, out var wait))
                {
                    _waits[context.BackgroundJob.Id] = wait = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                wait.TrySetResult(context.NewState.Name);
            }
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }

    public void Uninstall() => GlobalJobFilters.Filters.Remove(this);
}
