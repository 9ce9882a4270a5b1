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

/// <summary>Who gets alert emails. The server and sender are the shared "Smtp" section.</summary>
public sealed class EmailChannelOptions
{
    public string[] To { get; set; } = [];
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
