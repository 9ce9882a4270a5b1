using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using MimeKit;

namespace Worker.Mail;

/// <summary>
/// The "Smtp" section: the one mail server for everything the worker sends (failure alerts, the KPI
/// digest). Empty <see cref="Host"/> means mail is off; who receives what is each feature's business
/// (<c>Alerts:Email:To</c>, the digest's recipients).
/// </summary>
public sealed class SmtpOptions : IValidatableObject
{
    public const string Section = "Smtp";

    /// <summary>SMTP server; empty turns mail off.</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>"Auto" (STARTTLS when offered), "StartTls", "SslOnConnect" or "None".</summary>
    public string Security { get; set; } = "Auto";

    public string Username { get; set; } = "";

    /// <summary>A secret: set it through an environment variable (Smtp__Password) or a secret store, never appsettings.json.</summary>
    public string Password { get; set; } = "";

    public string From { get; set; } = "worker@localhost";

    public bool Configured => Host.Length > 0;

    public SecureSocketOptions SocketOptions() => Security.ToUpperInvariant() switch
    {
        "AUTO" => SecureSocketOptions.Auto,
        "STARTTLS" => SecureSocketOptions.StartTls,
        "SSLONCONNECT" => SecureSocketOptions.SslOnConnect,
        "NONE" => SecureSocketOptions.None,
        _ => throw new InvalidOperationException($"Smtp:Security '{Security}' is not one of Auto, StartTls, SslOnConnect, None."),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Security.ToUpperInvariant() is not ("AUTO" or "STARTTLS" or "SSLONCONNECT" or "NONE"))
        {
            yield return new ValidationResult($"Smtp:Security must be Auto, StartTls, SslOnConnect or None (was '{Security}').", [nameof(Security)]);
        }

        // The value is not echoed: From is an address, and addresses stay out of logs.
        if (Configured && !MailboxAddress.TryParse(From, out _))
        {
            yield return new ValidationResult("Smtp:From is not a valid mail address.", [nameof(From)]);
        }

        if (Password.Length > 0 && Username.Length == 0)
        {
            yield return new ValidationResult("Smtp:Password is set but Smtp:Username is empty.", [nameof(Username)]);
        }
    }
}
