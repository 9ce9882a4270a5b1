using Microsoft.Extensions.DependencyInjection.Extensions;
using Worker.Jobs;
using Worker.Mail;

namespace Worker.Digest;

public static class DigestServiceCollectionExtensions
{
    /// <summary>The kpi-digest job type, its recipients, delivery log, rendering and channels. Reads KPIs through IKpiScorecard (registered by the KPI layer).</summary>
    public static IServiceCollection AddKpiDigest(this IServiceCollection services)
    {
        services.AddWorkerMail();
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(DigestWebhook.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton<DigestRecipients>();
        services.AddSingleton<DigestDeliveries>();
        services.AddSingleton<DigestWebhook>();
        services.AddScoped<DigestComposer>();
        services.AddScoped<DigestRenderer>();
        services.AddScoped<DigestPreview>();
        services.AddJobType<DigestJob, DigestJobParameters>(DigestJob.TypeName, (job, p, ct) => job.RunAsync(p, ct));
        return services;
    }
}
