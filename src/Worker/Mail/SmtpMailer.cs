using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Worker.Mail;

/// <summary>Mail is off: <c>Smtp:Host</c> is empty.</summary>
public sealed class SmtpNotConfiguredException() : InvalidOperationException("No SMTP server is configured (Smtp:Host is empty).");

/// <summary>
/// Sends mail through the configured SMTP server with MailKit: the one sender the alerts and the
/// digest share. Each call is one SMTP session, so one message failing never poisons the next.
/// The From address is the configured one unless the message already has one.
/// </summary>
public sealed class SmtpMailer(IOptions<SmtpOptions> options)
{
    public bool Configured => options.Value.Configured;

    public MailboxAddress From => MailboxAddress.Parse(options.Value.From);

    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Configured)
        {
            throw new SmtpNotConfiguredException();
        }

        if (message.From.Count == 0)
        {
            message.From.Add(From);
        }

        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(settings.Host, settings.Port, settings.SocketOptions(), cancellationToken);
        if (settings.Username.Length > 0)
        {
            await smtp.AuthenticateAsync(settings.Username, settings.Password, cancellationToken);
        }

        await smtp.SendAsync(message, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }
}
