using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Worker.Kpi;

namespace Worker.Digest;

/// <summary>
/// Builds one reader's digest: their KPIs read AS THEM through <see cref="IKpiScorecard"/> (a user
/// with their own permissions, an outside address or a webhook channel as its role), never with the
/// worker's identity, in their time zone.
/// </summary>
public sealed partial class DigestComposer(IKpiScorecard scorecard, IOptions<DigestOptions> options)
{
    public async Task<DigestContent> ComposeAsync(Guid? userId, string? role, string name, string? timeZone, DigestPeriod period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cards = userId is { } id
            ? await scorecard.ReadForUserAsync(id, cancellationToken)
            : await scorecard.ReadForRoleAsync(role ?? throw new ArgumentNullException(nameof(role), "A reader is a user or a role."), cancellationToken);
        return DigestContent.Create(name, period, Zone(timeZone), now, cards, options.Value.PublicUrl);
    }

    public TimeZoneInfo Zone(string? timeZone) =>
        timeZone is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone)
            ? zone
            : TimeZoneInfo.FindSystemTimeZoneById(options.Value.DefaultTimeZone);

    /// <summary>Why a delivery failed, fit for the delivery log and the log: mail addresses replaced (servers quote them in refusals).</summary>
    public static string Reason(Exception exception)
    {
        var text = exception is MailKit.Net.Smtp.SmtpCommandException smtp
            ? $"SMTP {(int)smtp.StatusCode} ({smtp.ErrorCode}): {exception.Message}"
            : $"{exception.GetType().Name}: {exception.Message}";
        text = Address().Replace(text, "<address>");
        return text.Length <= 500 ? text : text[..500];
    }

    [GeneratedRegex(@"[^\s<>()""',;:@]+@[^\s<>()""',;:@]+")]
    private static partial Regex Address();
}
