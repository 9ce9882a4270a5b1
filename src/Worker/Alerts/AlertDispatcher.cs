using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Logging;

namespace Worker.Alerts;

/// <summary>
/// Sends one alert through every configured channel. Runs as its own Hangfire job on the alerts
/// queue, so a slow mail server never holds up the job that failed; a channel that fails is logged
/// and the others still get the message.
/// </summary>
public sealed class AlertDispatcher(IEnumerable<IAlertChannel> channels, ILogger<AlertDispatcher> logger)
{
    [DisplayName("Alert: {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var channel in channels.Where(c => c.Enabled))
        {
            try
            {
                await channel.SendAsync(alert, cancellationToken);
                sent++;
                AlertLog.Sent(logger, alert.Kind, alert.JobId, channel.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                AlertLog.ChannelFailed(logger, alert.Kind, alert.JobId, channel.Name, ex.GetType().Name, ex.Message);
            }
        }

        return sent;
    }
}

internal static partial class AlertLog
{
    [LoggerMessage(5001, LogLevel.Information, "{Kind} alert for job {JobId} sent by {Channel}")]
    public static partial void Sent(ILogger logger, AlertKind kind, string jobId, string channel);

    // The exception's message only: a webhook's address (a secret) can appear in its stack's data.
    [LoggerMessage(5002, LogLevel.Error, "{Kind} alert for job {JobId} could not be sent by {Channel}: {ErrorType}: {ErrorMessage}")]
    public static partial void ChannelFailed(ILogger logger, AlertKind kind, string jobId, string channel, string errorType, string errorMessage);
}
