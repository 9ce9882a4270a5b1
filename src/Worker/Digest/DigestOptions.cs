using System.ComponentModel.DataAnnotations;

namespace Worker.Digest;

/// <summary>The "Digest" section: the KPI digest's defaults and its webhook channels. The SMTP server is the shared "Smtp" section.</summary>
public sealed class DigestOptions : IValidatableObject
{
    public const string Section = "Digest";

    /// <summary>Time zone of recipients who did not choose one (an IANA id).</summary>
    [Required]
    public string DefaultTimeZone { get; set; } = "Europe/London";

    /// <summary>Public address of the worker, for the "open in the browser" link, e.g. https://worker.example.com. Empty: no link.</summary>
    public string PublicUrl { get; set; } = "";

    /// <summary>After this many failed attempts a delivery gives up until ops re-send it.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>A delivery left "sending" this long (a worker died mid-send) is tried again.</summary>
    [Range(1, 1440)]
    public int StaleSendingMinutes { get; set; } = 15;

    /// <summary>Slack- or Teams-compatible incoming webhooks, each reading as a role.</summary>
    public List<DigestWebhookOptions> Webhooks { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(DefaultTimeZone, out _))
        {
            yield return new ValidationResult($"Digest:DefaultTimeZone '{DefaultTimeZone}' is not a known time zone (use an IANA id such as Europe/London).", [nameof(DefaultTimeZone)]);
        }

        foreach (var (webhook, i) in Webhooks.Select((w, i) => (w, i)))
        {
            if (string.IsNullOrWhiteSpace(webhook.Name) || webhook.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            {
                yield return new ValidationResult($"Digest:Webhooks:{i}:Name must be letters, digits, '-' or '_'.", ["Webhooks"]);
            }

            // The address is a secret: named by position, never echoed.
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            {
                yield return new ValidationResult($"Digest:Webhooks:{i}:Url is not an http(s) address.", ["Webhooks"]);
            }

            if (string.IsNullOrWhiteSpace(webhook.ReadAsRole))
            {
                yield return new ValidationResult($"Digest:Webhooks:{i}:ReadAsRole is required: the channel's members see what that role may read.", ["Webhooks"]);
            }
        }

        if (Webhooks.GroupBy(w => w.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            yield return new ValidationResult($"Digest:Webhooks: the name '{twice.Key}' is used twice.", ["Webhooks"]);
        }
    }
}

public sealed class DigestWebhookOptions
{
    /// <summary>Shown in the delivery log and the ETL page, e.g. "directors-slack".</summary>
    public string Name { get; set; } = "";

    /// <summary>The incoming-webhook address: a secret (whoever has it can post); never logged.</summary>
    public string Url { get; set; } = "";

    /// <summary>The role whose KPIs the channel receives, e.g. "marketing".</summary>
    public string ReadAsRole { get; set; } = "";
}
