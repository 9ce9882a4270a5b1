using Microsoft.Extensions.Logging;

namespace Worker.Kpi;

internal static partial class KpiLog
{
    [LoggerMessage(7001, LogLevel.Information, "KPI snapshot: {Kpis} KPI(s), {Written} snapshot row(s) written, {Revised} revision(s), {Failed} KPI(s) in error, {Milliseconds} ms")]
    public static partial void Snapshotted(ILogger logger, int kpis, long written, long revised, int failed, long milliseconds);

    [LoggerMessage(7002, LogLevel.Warning, "KPI {Kpi} could not be computed: {Error}")]
    public static partial void KpiFailed(ILogger logger, string kpi, string error);

    [LoggerMessage(7003, LogLevel.Information, "Refreshed KPI view kpi.{View} ({Mode}) in {Milliseconds} ms")]
    public static partial void ViewRefreshed(ILogger logger, string view, string mode, double milliseconds);

    [LoggerMessage(7004, LogLevel.Error, "Refreshing KPI view kpi.{View} failed")]
    public static partial void ViewFailed(ILogger logger, string view, Exception exception);

    [LoggerMessage(7005, LogLevel.Information, "KPI refresh requested ({Reason}): scheduled as job {HangfireJobId} in {Seconds} s")]
    public static partial void RefreshScheduled(ILogger logger, string reason, string hangfireJobId, int seconds);

    [LoggerMessage(7006, LogLevel.Debug, "KPI refresh requested ({Reason}): one is already pending")]
    public static partial void RefreshAlreadyPending(ILogger logger, string reason);

    [LoggerMessage(7007, LogLevel.Warning, "KPI refresh requested ({Reason}) but the catalogue has no job {JobId}")]
    public static partial void RefreshJobMissing(ILogger logger, string reason, string jobId);

    [LoggerMessage(7008, LogLevel.Information, "Waiting for another worker's KPI refresh to finish")]
    public static partial void WaitingForLock(ILogger logger);

    [LoggerMessage(7009, LogLevel.Warning, "Could not request a KPI refresh ({Reason})")]
    public static partial void RefreshRequestFailed(ILogger logger, string reason, Exception exception);
}
