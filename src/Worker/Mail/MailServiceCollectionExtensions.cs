using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Worker.Mail;

public static class MailServiceCollectionExtensions
{
    /// <summary>The shared SMTP settings (validated at start) and the one sender. Safe to call more than once.</summary>
    public static IServiceCollection AddWorkerMail(this IServiceCollection services)
    {
        if (services.Any(s => s.ServiceType == typeof(SmtpMailer)))
        {
            return services;
        }

        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations()
            // The alerts' own SMTP keys moved here: a configuration still setting them would silently send nothing.
            .Validate<IConfiguration>(
                (_, configuration) => configuration.GetSection("Alerts:Email").GetChildren().All(c => c.Key == "To"),
                "Alerts:Email accepts only To now: the SMTP server settings moved to the Smtp section (Smtp:Host, Port, Security, Username, Password, From).")
            .ValidateOnStart();
        services.TryAddSingleton<SmtpMailer>();
        return services;
    }
}
