using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using Worker.Mail;

namespace Worker.Alerts;

/// <summary>One way of telling ops.</summary>
public interface IAlertChannel
{
    string Name { get; }

    bool Enabled { get; }

    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}

/// <summary>Email through the shared SMTP sender; on when Smtp:Host and Alerts:Email:To are both set.</summary>
public sealed class EmailAlertChannel(SmtpMailer mailer, IOptions<AlertOptions> options) : IAlertChannel
{
    public string Name => "email";

    public bool Enabled => mailer.Configured && options.Value.Email.To.Length > 0;

    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var message = new MimeMessage { Subject = alert.Subject };
        foreach (var to in options.Value.Email.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Body = new TextPart("plain") { Text = alert.Text(options.Value.DashboardUrl) };
        await mailer.SendAsync(message, cancellationToken);
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
