using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Worker.Jobs;
using Worker.Mail;

namespace Worker.Digest;

/// <summary>Catalogue parameters of the kpi-digest job.</summary>
public sealed record DigestJobParameters : IValidatableObject
{
    /// <summary>week (the last Monday–Sunday) or month (the last calendar month).</summary>
    [RegularExpression("^(week|month)$", ErrorMessage = "expected week or month.")]
    public string Grain { get; init; } = "week";

    /// <summary>The business time zone the period is counted in.</summary>
    public string TimeZone { get; init; } = "Europe/London";

    /// <summary>A catalogue job run first, so the digest reads a fresh snapshot; empty: none.</summary>
    public string SnapshotJob { get; init; } = "kpi-snapshot";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult($"unknown time zone '{TimeZone}' (use an IANA id such as Europe/London).", [nameof(TimeZone)]);
        }
    }
}

/// <summary>Some deliveries failed; they are retried alone by the next run (the catalogue's retry policy).</summary>
public sealed class DigestDeliveryException(string message) : Exception(message);

/// <summary>
/// Sends the KPI digest for the last complete period: one e-mail per recipient with their own slice,
/// and one message per configured webhook channel. The delivery log makes it safe to run again at any
/// time: whoever has it is skipped, whoever failed is tried again, nobody else is touched.
/// </summary>
public sealed class DigestJob(
    DigestRecipients recipients,
    DigestDeliveries deliveries,
    DigestComposer composer,
    DigestRenderer renderer,
    SmtpMailer mailer,
    DigestWebhook webhook,
    JobCatalogue catalogue,
    JobRunner runner,
    IOptions<DigestOptions> options,
    TimeProvider time,
    ILogger<DigestJob> logger)
{
    public const string TypeName = "kpi-digest";

    public async Task<JobSummary> RunAsync(DigestJobParameters parameters, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (parameters.SnapshotJob.Length > 0 && catalogue.Contains(parameters.SnapshotJob))
        {
            // A failed snapshot fails the digest: stale numbers mailed to directors are worse than a late digest.
            await runner.RunAsync(parameters.SnapshotJob, "schedule", null, cancellationToken);
        }

        var now = time.GetUtcNow();
        var period = DigestPeriod.LastComplete(parameters.Grain, now, TimeZoneInfo.FindSystemTimeZoneById(parameters.TimeZone));
        var tally = new Tally();

        var everyone = await recipients.ListAsync(cancellationToken);
        foreach (var recipient in everyone)
        {
            if (recipient.Paused)
            {
                tally.Paused++;
                continue;
            }

            if (!mailer.Configured)
            {
                continue;
            }

            await DeliverAsync(period, recipient.Key, "email", recipient.Name, tally, async () =>
            {
                var content = await composer.ComposeAsync(recipient.UserId, recipient.ReadAsRole, recipient.Name, recipient.TimeZone, period, now, cancellationToken);
                if (content.Domains.Count == 0)
                {
                    return null;
                }

                if (!MailboxAddress.TryParse(recipient.Address, out var to) || to.Domain.Length == 0)
                {
                    throw new FormatException("the recipient's address is not a valid mail address");
                }

                var rendered = await renderer.RenderAsync(content);
                await mailer.SendAsync(rendered.ToMessage(mailer.From, new MailboxAddress(recipient.Name, to.Address)), cancellationToken);
                return content.Cards.Count();
            }, cancellationToken);
        }

        foreach (var channel in settings.Webhooks)
        {
            await DeliverAsync(period, "webhook:" + channel.Name, "webhook", channel.Name, tally, async () =>
            {
                var content = await composer.ComposeAsync(null, channel.ReadAsRole, channel.Name, null, period, now, cancellationToken);
                if (content.Domains.Count == 0)
                {
                    return null;
                }

                await webhook.SendAsync(channel.Url, content, cancellationToken);
                return content.Cards.Count();
            }, cancellationToken);
        }

        var details = new Dictionary<string, object?>
        {
            ["period"] = $"{period.Start:yyyy-MM-dd}..{period.End:yyyy-MM-dd}",
            ["recipients"] = everyone.Count,
            ["sent"] = tally.Sent,
            ["failed"] = tally.Failed,
            ["skipped"] = tally.Skipped,
            ["alreadyDone"] = tally.AlreadyDone,
            ["paused"] = tally.Paused,
            ["webhooks"] = settings.Webhooks.Count,
            ["email"] = mailer.Configured ? "sent through Smtp" : "not sent: no SMTP server configured (Smtp:Host is empty)",
        };
        DigestLog.Finished(logger, period.Start, tally.Sent, tally.Failed, tally.Skipped, tally.AlreadyDone, tally.Paused);
        if (!mailer.Configured && everyone.Count > tally.Paused)
        {
            DigestLog.NoSmtp(logger);
        }

        if (tally.Failed > 0)
        {
            throw new DigestDeliveryException(
                $"{tally.Failed} digest deliveries for {period.Label} failed ({tally.Sent} sent in this run, {tally.AlreadyDone} sent before or in progress); " +
                "each failed one is tried again alone by the next attempt. Reasons: worker.digest_deliveries.");
        }

        return new JobSummary(everyone.Count + settings.Webhooks.Count, tally.Sent, details);
    }

    private async Task DeliverAsync(DigestPeriod period, string key, string channel, string name, Tally tally, Func<Task<int?>> send, CancellationToken cancellationToken)
    {
        var attempt = await deliveries.ClaimAsync(period, key, channel, name, options.Value.MaxAttempts, options.Value.StaleSendingMinutes, cancellationToken);
        if (attempt is null)
        {
            tally.AlreadyDone++;
            return;
        }

        try
        {
            if (await send() is { } kpis)
            {
                await deliveries.SentAsync(period, key, channel, kpis);
                tally.Sent++;
                DigestLog.Sent(logger, key, channel, kpis, attempt.Value);
            }
            else
            {
                await deliveries.SkippedAsync(period, key, channel, "no KPI this recipient may read");
                tally.Skipped++;
                DigestLog.Skipped(logger, key, channel);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var reason = DigestComposer.Reason(ex);
            await deliveries.FailedAsync(period, key, channel, reason);
            tally.Failed++;
            DigestLog.Failed(logger, key, channel, attempt.Value, reason);
        }
    }

    private sealed class Tally
    {
        public int Sent;
        public int Failed;
        public int Skipped;
        public int AlreadyDone;
        public int Paused;
    }
}

internal static partial class DigestLog
{
    // Recipients by key (user:<id>, address:<id>, webhook:<name>): never an address or a webhook URL.
    [LoggerMessage(9101, LogLevel.Information, "Digest sent to {Recipient} by {Channel}: {Kpis} KPIs (attempt {Attempt})")]
    public static partial void Sent(ILogger logger, string recipient, string channel, int kpis, int attempt);

    [LoggerMessage(9102, LogLevel.Warning, "Digest to {Recipient} by {Channel} failed (attempt {Attempt}): {Reason}")]
    public static partial void Failed(ILogger logger, string recipient, string channel, int attempt, string reason);

    [LoggerMessage(9103, LogLevel.Information, "Digest to {Recipient} by {Channel} skipped: nothing they may read")]
    public static partial void Skipped(ILogger logger, string recipient, string channel);

    [LoggerMessage(9104, LogLevel.Information, "Digest for the period from {PeriodStart}: {Sent} sent, {Failed} failed, {Skipped} skipped, {AlreadyDone} already done, {Paused} paused")]
    public static partial void Finished(ILogger logger, DateOnly periodStart, int sent, int failed, int skipped, int alreadyDone, int paused);

    [LoggerMessage(9105, LogLevel.Warning, "Digest e-mails not sent: no SMTP server is configured (Smtp:Host is empty)")]
    public static partial void NoSmtp(ILogger logger);
}
