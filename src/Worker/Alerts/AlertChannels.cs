using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Worker.Alerts;

/// <summary>One way of telling ops.</summary>
public interface IAlertChannel
{
    string Name { get; }

    bool Enabled { get; }

    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}

/// <summary>Email over SMTP with MailKit.</summary>
public sealed class EmailAlertChannel(IOptions<AlertOptions> options) : IAlertChannel
{
    public string Name => "email";

    public bool Enabled => options.Value.Email.Enabled;

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var settings = options.Value.Email;
        var message = new MimeMessage { Subject = alert.Subject };
        message.From.Add(MailboxAddress.Parse(settings.From));
        foreach (var to in settings.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Body = new TextPart("plain") { Text = alert.Text(options.Value.DashboardUrl) };

        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(settings.Host, settings.Port, Enum.Parse<SecureSocketOptions>(settings.Security, ignoreCase: true), cancellationToken);
        if (settings.Username.Length > 0)
        {
            await smtp.AuthenticateAsync(settings.Username, settings.Password, cancellationToken);
        }

        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>
/// A JSON POST. "text" is what Slack and Teams incoming webhooks display; the other fields are for
/// receivers that want to act on the alert.
/// </summary>
public sealed class WebhookAlertChannel(IHttpClientFactory httpClients, IOptions<AlertOptions> options) : IAlertChannel
{
    public const string HttpClientName = "alert-webhook";

    public string Name => "webhook";

    public bool Enabled => options.Value.Webhook.Enabled;

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        var body = new
        {
            text = alert.Subject + "\n" + alert.Text(options.Value.DashboardUrl),
            kind = alert.Kind == AlertKind.Failed ? "failed" : "recovered",
            job = alert.JobId,
            hangfireJobId = alert.HangfireJobId,
            error = alert.Error,
            at = alert.At,
        };
        using var response = await client.PostAsJsonAsync(new Uri(options.Value.Webhook.Url), body, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
