using System.ComponentModel.DataAnnotations;

namespace Worker.Alerts;

/// <summary>The "Alerts" section: where ops hear about jobs that failed for good, and how often.</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>At most one failure alert per job within this many minutes, however often it fails.</summary>
    [Range(0, 10080)]
    public int GracePeriodMinutes { get; set; } = 60;

    /// <summary>Public address of the dashboard, for links in alerts, e.g. https://worker.example.com/hangfire.</summary>
    public string DashboardUrl { get; set; } = "";

    public EmailChannelOptions Email { get; set; } = new();

    public WebhookChannelOptions Webhook { get; set; } = new();
}

public sealed class EmailChannelOptions
{
    /// <summary>SMTP server; empty turns email alerts off.</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>"Auto" (STARTTLS when offered), "StartTls", "SslOnConnect" or "None".</summary>
    public string Security { get; set; } = "Auto";

    public string Username { get; set; } = "";

    /// <summary>A secret: set it through an environment variable or secret store, not appsettings.json.</summary>
    public string Password { get; set; } = "";

    public string From { get; set; } = "worker@localhost";

    public string[] To { get; set; } = [];

    public bool Enabled => Host.Length > 0 && To.Length > 0;
}

public sealed class WebhookChannelOptions
{
    /// <summary>
    /// Incoming-webhook address (Slack, Teams, or any JSON endpoint); empty turns it off. Such addresses
    /// are secrets: whoever has one can post to the channel. Never logged.
    /// </summary>
    public string Url { get; set; } = "";

    public bool Enabled => Url.Length > 0;
}
