using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Worker.Jobs;

namespace Worker.Kpi;

public static class KpiServiceCollectionExtensions
{
    /// <summary>The KPI layer: options, the two job types, the scorecard and the refresh trigger.</summary>
    public static IServiceCollection AddWorkerKpi(this IServiceCollection services)
    {
        services.AddOptions<KpiOptions>().BindConfiguration(KpiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddJobType<RefreshKpiViewsJob, RefreshKpiViewsParameters>(RefreshKpiViewsJob.TypeName, (job, p, ct) => job.RunAsync(p, ct));
        services.AddJobType<KpiSnapshotJob, KpiSnapshotParameters>(KpiSnapshotJob.TypeName, (job, p, ct) => job.RunAsync(p, ct));
        services.AddSingleton<KpiScorecard>();
        services.AddSingleton<IKpiScorecard>(provider => provider.GetRequiredService<KpiScorecard>());
        services.AddSingleton<IKpiRefreshTrigger, KpiRefreshTrigger>();
        return services;
    }
}
