using Microsoft.Extensions.DependencyInjection;
using Worker.Mail;

namespace Worker.Alerts;

public static class AlertsServiceCollectionExtensions
{
    public static IServiceCollection AddWorkerAlerts(this IServiceCollection services)
    {
        services.AddWorkerMail();
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(WebhookAlertChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<IAlertChannel, EmailAlertChannel>();
        services.AddSingleton<IAlertChannel, WebhookAlertChannel>();
        services.AddSingleton<AlertState>();
        services.AddSingleton<JobAlertFilter>();
        services.AddTransient<AlertDispatcher>();
        return services;
    }
}
