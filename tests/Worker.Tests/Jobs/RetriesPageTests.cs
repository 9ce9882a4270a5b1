using System.Net;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Worker.Jobs;

namespace Worker.Tests.Jobs;

/// <summary>A run waiting for its next attempt shows on the dashboard's Retries page, as Hangfire's own retries do.</summary>
[Collection(HangfireCollection.Name)]
public sealed class RetriesPageTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _catalogue = Directory.CreateTempSubdirectory("jobs-").FullName;
    private readonly ScheduledSignal _signal = new();
    private WorkerHost _host = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_catalogue, "retry-later.json"),
            """{ "id": "retry-later", "type": "test-fail", "cron": "0 0 1 1 *", "queue": "b_ingest", "retry": { "attempts": 2, "delaysSeconds": [3600] } }""");
        GlobalJobFilters.Filters.Add(_signal);
        _host = await WorkerHost.StartAsync(db.ConnectionString, _catalogue, TestJobs.Register);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        GlobalJobFilters.Filters.Remove(_signal);
        Directory.Delete(_catalogue, recursive: true);
    }

    [Fact]
    public async Task A_failed_run_waiting_for_its_next_attempt_is_on_the_Retries_page()
    {
        var jobId = JobRunner.Enqueue(_host.Client, _host.Catalogue.Get("retry-later"), "manual");
        await _signal.WaitAsync(jobId, Timeout);
        var storage = _host.Services.GetRequiredService<JobStorage>();

        await using var dashboard = await DashboardAsync(storage);
        var page = await dashboard.Client.GetStringAsync("/hangfire/retries");

        using (var connection = storage.GetConnection())
        {
            Assert.Contains(jobId, connection.GetAllItemsFromSet(CatalogueRetryFilter.RetriesSet));
        }

        Assert.Contains($"/hangfire/jobs/details/{jobId}", page, StringComparison.Ordinal);
        Assert.Contains("retry-later", page, StringComparison.Ordinal);
        Assert.DoesNotContain("No jobs found", page, StringComparison.Ordinal);

        // Once it leaves the schedule (here: deleted by ops), it leaves the Retries page too.
        _host.Client.ChangeState(jobId, new DeletedState(), ScheduledState.StateName);
        using (var connection = storage.GetConnection())
        {
            Assert.DoesNotContain(jobId, connection.GetAllItemsFromSet(CatalogueRetryFilter.RetriesSet));
        }
    }

    /// <summary>Hangfire's own dashboard over the worker's storage, on a loopback port.</summary>
    private static async Task<Dashboard> DashboardAsync(JobStorage storage)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddHangfire(_ => { });
        var app = builder.Build();
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [] }, storage);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return new Dashboard(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    private sealed record Dashboard(WebApplication App, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
        }
    }

    /// <summary>Completes when a job enters the Scheduled state (its retry is planned).</summary>
    private sealed class ScheduledSignal : JobFilterAttribute, IApplyStateFilter
    {
        private readonly Dictionary<string, TaskCompletionSource> _waits = [];

        public ScheduledSignal() => Order = int.MaxValue;

        public Task WaitAsync(string jobId, TimeSpan timeout) => Wait(jobId).Task.WaitAsync(timeout);

        public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
            if (context.NewState is ScheduledState)
            {
                Wait(context.BackgroundJob.Id).TrySetResult();
            }
        }

        public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
        }

        private TaskCompletionSource Wait(string jobId)
        {
            lock (_waits)
            {
                if (!_waits.TryGetValue(jobId, out var wait))
                {
                    _waits[jobId] = wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                return wait;
            }
        }
    }
}
