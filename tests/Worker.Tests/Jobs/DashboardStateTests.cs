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

/// <summary>
/// What the dashboard shows of catalogue runs: a run waiting for its next attempt is on the Retries
/// page, as Hangfire's own retries are; a run's result is plain JSON.
/// </summary>
[Collection(HangfireCollection.Name)]
public sealed class DashboardStateTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _catalogue = Directory.CreateTempSubdirectory("jobs-").FullName;
    private readonly ScheduledSignal _signal = new();
    private WorkerHost _host = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_catalogue, "retry-later.json"),
            """{ "id": "retry-later", "type": "test-fail", "cron": "0 0 1 1 *", "queue": "b_ingest", "retry": { "attempts": 2, "delaysSeconds": [3600] } }""");
        File.WriteAllText(Path.Combine(_catalogue, "result-ok.json"), """{ "id": "result-ok", "type": "test-ok", "cron": "0 0 1 1 *", "queue": "b_ingest" }""");
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
        using (var connection = storage.GetConnection())
        {
            // The signal comes as the state is written; its transaction commits just after.
            Assert.True(SpinWait.SpinUntil(() => connection.GetStateData(jobId)?.Name == ScheduledState.StateName, Timeout));
        }

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

    [Fact]
    public async Task A_runs_result_on_the_dashboard_is_its_summary_as_plain_JSON()
    {
        var jobId = JobRunner.Enqueue(_host.Client, _host.Catalogue.Get("result-ok"), "manual");

        // What the storage is given for the Succeeded state, which the dashboard shows as the Result.
        var result = (await _signal.WaitAsync(jobId, Timeout))["Result"];

        Assert.Equal("""{"rowsRead":3,"rowsWritten":2,"details":{"greeting":"hello"}}""", result);
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

    /// <summary>Completes when a job enters the Scheduled state (its retry is planned) or succeeds.</summary>
    private sealed class ScheduledSignal : JobFilterAttribute, IApplyStateFilter
    {
        private readonly Dictionary<string, TaskCompletionSource<Dictionary<string, string>>> _waits = [];

        public ScheduledSignal() => Order = int.MaxValue;

        /// <summary>The state's data as it goes to the storage.</summary>
        public Task<Dictionary<string, string>> WaitAsync(string jobId, TimeSpan timeout) => Wait(jobId).Task.WaitAsync(timeout);

        public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
            if (context.NewState is ScheduledState or SucceededState)
            {
                Wait(context.BackgroundJob.Id).TrySetResult(context.NewState.SerializeData());
            }
        }

        public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
        {
        }

        private TaskCompletionSource<Dictionary<string, string>> Wait(string jobId)
        {
            lock (_waits)
            {
                if (!_waits.TryGetValue(jobId, out var wait))
                {
                    _waits[jobId] = wait = new TaskCompletionSource<Dictionary<string, string>>(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                return wait;
            }
        }
    }
}
