using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Worker.Alerts;
using Worker.Database;
using Worker.Digest;
using Worker.Ingestion.Csv;
using Worker.Ingestion.Ga4;
using Worker.Kpi;
using Worker.Maintenance;

namespace Worker.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>Hangfire on PostgreSQL (schema "hangfire"), the job catalogue and the job types.</summary>
    public static IServiceCollection AddWorkerJobs(this IServiceCollection services, DatabaseEndpoint database, string contentRoot)
    {
        services.AddOptions<HangfireOptions>().BindConfiguration(HangfireOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(new Worker.Hosting.ContentRootPath(contentRoot));
        services.AddCsvIngestion();
        services.AddGa4Ingestion();
        services.AddWorkerKpi();
        services.AddKpiDigest();
        services.AddJobType<PruneRunHistoryJob, PruneRunHistoryParameters>(PruneRunHistoryJob.TypeName, (job, p, ct) => job.RunAsync(p.RetentionDays, ct));
        services.AddJobType<CloseInterruptedRunsJob, CloseInterruptedRunsParameters>(CloseInterruptedRunsJob.TypeName, (job, p, ct) => job.RunAsync(p, ct));
        services.AddJobType<PruneImportFilesJob, PruneImportFilesParameters>(PruneImportFilesJob.TypeName, (job, p, ct) => job.RunAsync(p.RetentionDays, ct));
        services.AddJobType<PruneGa4HistoryJob, PruneGa4HistoryParameters>(PruneGa4HistoryJob.TypeName, (job, p, ct) => job.RunAsync(p.RetentionDays, ct));

        services.AddSingleton(provider => JobCatalogue.Load(
            Path.Combine(contentRoot, provider.GetRequiredService<IOptions<HangfireOptions>>().Value.CatalogueDirectory),
            provider.GetServices<JobType>()));
        services.AddSingleton<RunHistory>();
        services.AddScoped<JobRunner>();
        services.AddSingleton<CatalogueRetryFilter>();
        services.AddSingleton<CatalogueScheduler>();
        services.AddWorkerAlerts();

        // Retries come from the catalogue (CatalogueRetryFilter), not Hangfire's ten-attempt default.
        GlobalJobFilters.Filters.Remove(typeof(AutomaticRetryAttribute));

        services.AddHangfire((provider, configuration) =>
        {
            var options = provider.GetRequiredService<IOptions<HangfireOptions>>().Value;
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(DatabasePool.Sized(database.ConnectionString, options.WorkerCount + DatabasePool.HangfireBesideWorkers)), new PostgreSqlStorageOptions
                {
                    SchemaName = "hangfire",
                    PrepareSchemaIfNecessary = true,
                    // A job running longer than the invisibility timeout would be fetched again by
                    // another worker; sliding keeps it invisible while it runs.
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromMinutes(5),
                    QueuePollInterval = TimeSpan.FromSeconds(options.QueuePollIntervalSeconds),
                    // Hangfire's own locks (recurring-job scheduling) are held for milliseconds; one left
                    // behind by a killed worker or a database restart is taken for abandoned after a minute
                    // instead of ten, so recurring jobs and start-up are not held up that long.
                    DistributedLockTimeout = TimeSpan.FromMinutes(1),
                })
                .UseFilter(provider.GetRequiredService<CatalogueRetryFilter>())
                .UseFilter(new JobResultFilter())
                .UseFilter(provider.GetRequiredService<JobAlertFilter>());
        });
        services.AddHangfireServer((provider, server) =>
        {
            var options = provider.GetRequiredService<IOptions<HangfireOptions>>().Value;
            server.ServerName = ServerName.ForThisProcess;
            server.Queues = Queues.All;
            server.WorkerCount = options.WorkerCount;
            server.ShutdownTimeout = TimeSpan.FromSeconds(30);
            server.SchedulePollingInterval = TimeSpan.FromSeconds(options.SchedulePollingIntervalSeconds);
        });
        services.AddHealthChecks().AddCheck<HangfireHeartbeatCheck>("hangfire", tags: ["ready"])
            .AddCheck<StuckJobsCheck>("hangfire-workers", tags: ["ready"]);
        return services;
    }
}
