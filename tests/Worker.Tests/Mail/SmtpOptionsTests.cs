using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Worker.Mail;

namespace Worker.Tests.Mail;

public sealed class SmtpOptionsTests
{
    [Fact]
    public void Environment_style_keys_configure_the_one_SMTP_server()
    {
        var options = Resolve(new() { ["Smtp:Host"] = "mail.example.com", ["Smtp:Port"] = "2525", ["Smtp:Security"] = "StartTls", ["Smtp:From"] = "kpi@example.com" });

        Assert.True(options.Configured);
        Assert.Equal(2525, options.Port);
        Assert.Equal(MailKit.Security.SecureSocketOptions.StartTls, options.SocketOptions());
    }

    [Fact]
    public void No_host_means_mail_is_off_and_is_not_an_error()
    {
        Assert.False(Resolve([]).Configured);
    }

    [Theory]
    [InlineData("Smtp:Security", "Sometimes", "Smtp:Security must be Auto, StartTls, SslOnConnect or None")]
    [InlineData("Smtp:From", "not an address", "Smtp:From is not a valid mail address")]
    [InlineData("Smtp:Port", "0", "Port")]
    [InlineData("Alerts:Email:Host", "mail.example.com", "the SMTP server settings moved to the Smtp section")]
    public void A_bad_setting_is_refused_at_start_naming_the_key(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Smtp:Host"] = "mail.example.com", [key] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_password_setting_does_not_echo_the_password()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new() { ["Smtp:Host"] = "mail.example.com", ["Smtp:Password"] = "hunter2-secret" }));

        Assert.DoesNotContain("hunter2-secret", error.Message, StringComparison.Ordinal);
    }

    private static SmtpOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddWorkerMail().BuildServiceProvider();
        return services.GetRequiredService<IOptions<SmtpOptions>>().Value;
    }
}
