using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Worker.Jobs;
using Worker.Kpi;

namespace Worker.Ingestion.Ga4;

public sealed record Ga4SyncParameters
{
    /// <summary>The GA4 property id (digits). Shipped empty: the job is disabled until ops set it.</summary>
    public string PropertyId { get; init; } = "";

    /// <summary>website, channels or attribution.</summary>
    [Required]
    public string Report { get; init; } = "";

    /// <summary>The first day of the first backfill; absent, the first run reads only the lookback window.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>How many already stored days each run reads again (GA4 revises the last 24–48 h).</summary>
    [Range(0, 90)]
    public int LookbackDays { get; init; } = 3;

    /// <summary>The key event counted as a lead (channels report: keyEvents:&lt;leadEvent&gt;).</summary>
    [Required]
    [RegularExpression("^[A-Za-z][A-Za-z0-9_]{0,39}$", ErrorMessage = "expected a GA4 event name (letters, digits, underscores).")]
    public string LeadEvent { get; init; } = "generate_lead";
}

/// <summary>
/// Syncs one report group of one GA4 property into its table: from (last stored day − lookback) to
/// yesterday in the property's time zone, in slices, each read page by page into a staging table and
/// merged in one transaction with the sync state, so a killed run resumes after its last committed slice
/// and a failed slice leaves nothing behind. Revised days are recorded; quota, row counts and GA4's
/// reliability flags go into the run record shown on the ETL page.
/// </summary>
public sealed partial class Ga4SyncJob(IGa4DataClient client, Ga4SyncStore store, IOptions<Ga4Options> options, TimeProvider clock,
    IEnumerable<IKpiRefreshTrigger> kpiRefresh, ILogger<Ga4SyncJob> logger)
{
    public const string TypeName = "ga4-sync";

    public async Task<JobSummary> RunAsync(Ga4SyncParameters parameters, CancellationToken cancellationToken)
    {
        var report = Validate(parameters);
        var propertyId = parameters.PropertyId;
        var state = await store.GetStateAsync(propertyId, report.Name, cancellationToken);
        var tally = new Ga4RunTally();
        var runId = await store.StartRunAsync(propertyId, report.Name, cancellationToken);
        var status = "failed";
        string? note = null, error = null;
        try
        {
            tally.TimeZone = state?.TimeZone ?? await ProbeTimeZoneAsync(propertyId, tally, cancellationToken);
            var yesterday = Yesterday(tally.TimeZone);
            var from = state is null
                ? parameters.StartDate ?? yesterday.AddDays(1 - Math.Max(parameters.LookbackDays, 1))
                : Later(state.SyncedThrough.AddDays(1 - parameters.LookbackDays), parameters.StartDate);
            tally.SyncedThrough = state?.SyncedThrough;
            if (from > yesterday)
            {
                status = "succeeded";
                note = $"Nothing to read: the first day ({from:yyyy-MM-dd}) is after yesterday in {tally.TimeZone} ({yesterday:yyyy-MM-dd}).";
                return Summary(report, propertyId, tally, status, note, []);
            }

            tally.RangeStart = from;
            tally.RangeEnd = yesterday;
            Ga4SyncLog.Reading(logger, report.Name, propertyId, from, yesterday, tally.TimeZone);
            // The slices are read and written at once: the next page is fetched while the database takes
            // the last one. One page waits between the two (memory stays a few pages); each slice is still
            // committed with its sync state in one transaction, in order.
            var pages = Channel.CreateBounded<SliceWork>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reading = ReadSlicesAsync(report, parameters, from, yesterday, tally, pages.Writer, stop.Token);
            var writing = WriteSlicesAsync(report, parameters.PropertyId, runId, tally, pages.Reader, stop.Token);
            try
            {
                await writing;
            }
            catch
            {
                await stop.CancelAsync();
                // The reader stops on the cancellation; the writer's exception is the one to report.
                await Task.WhenAny(reading);
                _ = reading.Exception;
                throw;
            }

            // The writer ends when the reader completes the channel: after the last slice, at a quota stop or on
            // a read that failed (whose exception comes out here, after the slices read whole were committed).
            if (await reading is { } stopped)
            {
                status = "stopped";
                note = stopped;
            }
            else
            {
                status = "succeeded";
            }

            if (tally.CostUnavailable)
            {
                note = (note is null ? "" : note + " ") +
                    "GA4 returned no cost (advertiserAdCost restricted or zero throughout): cost is stored as NULL. Link Google Ads to the property and give the service account a role that sees cost data.";
            }
        }
        catch (Ga4ApiException ex) when (ex.Kind == Ga4ErrorKind.DailyQuotaExhausted || ex.IsBadInput)
        {
            status = ex.Kind == Ga4ErrorKind.DailyQuotaExhausted ? "stopped" : "failed";
            error = ex.Message;
            throw new JobInputException(ex.Message);
        }
        catch (Exception ex)
        {
            error = ex is OperationCanceledException ? "Cancelled; the next run resumes after the last committed slice." : ex.Message;
            throw;
        }
        finally
        {
            await store.FinishRunAsync(runId, status, tally, note, error);
            if (tally.RowsWritten > 0)
            {
                foreach (var trigger in kpiRefresh)
                {
                    await trigger.RequestRefreshAsync($"ga4 {report.Name} sync of property {propertyId}", CancellationToken.None);
                }
            }
        }

        var revisions = await store.RevisionsAsync(runId, 20, cancellationToken);
        Ga4SyncLog.Finished(logger, report.Name, propertyId, status, tally.RowsRead, tally.RowsWritten, tally.DaysRevised);
        return Summary(report, propertyId, tally, status, note, revisions);
    }

    private static Ga4Report Validate(Ga4SyncParameters parameters)
    {
        if (string.IsNullOrEmpty(parameters.PropertyId))
        {
            throw new JobInputException("No GA4 property set: put the property id (GA4 Admin → Property details, digits only) in the job's parameters.propertyId and enable the job.");
        }

        if (!parameters.PropertyId.All(char.IsAsciiDigit))
        {
            throw new JobInputException($"parameters.propertyId '{parameters.PropertyId}' is not a GA4 property id (digits only, e.g. 123456789; not the G-XXXX measurement id).");
        }

        return Ga4Report.Find(parameters.Report)
            ?? throw new JobInputException($"Unknown GA4 report '{parameters.Report}' (known: {string.Join(", ", Ga4Report.All.Select(r => r.Name))}).");
    }

    /// <summary>The property's time zone, from the metadata of a one-row request.</summary>
    private async Task<string> ProbeTimeZoneAsync(string propertyId, Ga4RunTally tally, CancellationToken cancellationToken)
    {
        var response = await client.RunReportAsync(new RunReportRequest
        {
            Property = "properties/" + propertyId,
            Dimensions = [new Dimension("date")],
            Metrics = [new Metric("sessions")],
            DateRanges = [new DateRange("yesterday", "yesterday")],
            Limit = 1,
            ReturnPropertyQuota = true,
        }, cancellationToken);
        tally.Requests++;
        tally.Add(response);
        return response.Metadata?.TimeZone is { Length: > 0 } zone
            ? zone
            : throw new Ga4ApiException(Ga4ErrorKind.Other, System.Net.HttpStatusCode.OK, null, $"GA4 did not say the time zone of property {propertyId}.");
    }

    private DateOnly Yesterday(string timeZone)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            throw new InvalidOperationException($"GA4 reported the time zone '{timeZone}', which this machine does not know (install tzdata).");
        }

        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime).AddDays(-1);
    }

    private static DateOnly Later(DateOnly a, DateOnly? b) => b is { } x && x > a ? x : a;

    private string? LowQuota(Ga4RunTally tally)
    {
        var o = options.Value;
        if (tally.TokensPerHourRemaining is { } hour && hour < o.MinQuotaShare * o.TokensPerHour)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{hour:N0} of the property's {o.TokensPerHour:N0} hourly GA4 tokens remain (under {o.MinQuotaShare:P0})");
        }

        if (tally.TokensPerDayRemaining is { } day && day < o.MinQuotaShare * o.TokensPerDay)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{day:N0} of the property's {o.TokensPerDay:N0} daily GA4 tokens remain (under {o.MinQuotaShare:P0})");
        }

        return null;
    }

    /// <summary>
    /// Reads the slices from <paramref name="from"/> to <paramref name="to"/> into <paramref name="pages"/>,
    /// stopping early (the note says why) when little quota remains. Always completes the channel.
    /// </summary>
    private async Task<string?> ReadSlicesAsync(Ga4Report report, Ga4SyncParameters parameters, DateOnly from, DateOnly to, Ga4RunTally tally,
        ChannelWriter<SliceWork> pages, CancellationToken cancellationToken)
    {
        try
        {
            var slicesRead = 0;
            for (var sliceStart = from; sliceStart <= to; sliceStart = sliceStart.AddDays(options.Value.SliceDays))
            {
                if (slicesRead > 0 && LowQuota(tally) is { } low)
                {
                    Ga4SyncLog.StoppedForQuota(logger, report.Name, parameters.PropertyId, sliceStart, low);
                    return $"Stopped early at {sliceStart:yyyy-MM-dd}: {low}. The next run resumes from there.";
                }

                var sliceEnd = sliceStart.AddDays(options.Value.SliceDays - 1) is var end && end > to ? to : end;
                await ReadSliceAsync(report, parameters, sliceStart, sliceEnd, tally, pages, cancellationToken);
                slicesRead++;
            }

            return null;
        }
        finally
        {
            pages.TryComplete();
        }
    }

    /// <summary>
    /// Reads every page of the slice's requests (batched, up to five a call). A network failure, a truncated
    /// page or a row count that moved between pages (GA4 still processing) reads the whole slice again: the
    /// writer drops what it had of the slice when the slice starts again.
    /// </summary>
    private async Task ReadSliceAsync(Ga4Report report, Ga4SyncParameters parameters, DateOnly from, DateOnly to, Ga4RunTally tally,
        ChannelWriter<SliceWork> pages, CancellationToken cancellationToken)
    {
        var requests = report.Requests(parameters.PropertyId, from, to, parameters.LeadEvent);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await pages.WriteAsync(new SliceStarted(from, to), cancellationToken);
                var offsets = new long[requests.Count];
                var rowCounts = new int?[requests.Count];
                long rows = 0;
                string? timeZone = null;
                while (Enumerable.Range(0, requests.Count).Where(i => rowCounts[i] is null || offsets[i] < rowCounts[i]).Take(5).ToList() is { Count: > 0 } pending)
                {
                    var paged = pending.Select(i => requests[i] with { Offset = offsets[i], Limit = options.Value.PageSize }).ToList();
                    var responses = paged.Count == 1
                        ? [await client.RunReportAsync(paged[0], cancellationToken)]
                        : (await client.BatchRunReportsAsync(new BatchRunReportsRequest { Property = paged[0].Property, Requests = paged }, cancellationToken)).Reports;
                    tally.Requests += paged.Count;
                    if (responses.Count != paged.Count)
                    {
                        throw new Ga4ApiException(Ga4ErrorKind.Other, System.Net.HttpStatusCode.OK, null, $"GA4 answered {responses.Count} reports to {paged.Count} requests.");
                    }

                    for (var k = 0; k < pending.Count; k++)
                    {
                        var (i, response) = (pending[k], responses[k]);
                        tally.Add(response);
                        if (rowCounts[i] is { } before && before != response.RowCount)
                        {
                            throw new RowCountMovedException($"GA4's row count for {from:yyyy-MM-dd}..{to:yyyy-MM-dd} moved from {before} to {response.RowCount} between pages.");
                        }

                        rowCounts[i] = response.RowCount;
                        timeZone = response.Metadata?.TimeZone ?? timeZone;
                        await pages.WriteAsync(new PageRead(from, to, i, paged[k], response), cancellationToken);
                        rows += response.Rows.Count;
                        // No offset comes back: the next page starts after the rows received; an empty page ends it.
                        offsets[i] = response.Rows.Count == 0 ? response.RowCount : offsets[i] + response.Rows.Count;
                    }
                }

                if (timeZone is not null && timeZone != tally.TimeZone)
                {
                    Ga4SyncLog.TimeZoneChanged(logger, parameters.PropertyId, tally.TimeZone ?? "", timeZone);
                    tally.TimeZone = timeZone;
                }

                await pages.WriteAsync(new SliceRead(from, to, rows, tally.TimeZone, tally.Flags.CostRestricted), cancellationToken);
                return;
            }
            catch (Exception ex) when (attempt < options.Value.SliceAttempts && IsWorthReadingAgain(ex, cancellationToken))
            {
                Ga4SyncLog.SliceRetried(logger, report.Name, parameters.PropertyId, from, to, attempt, ex.GetType().Name, ex.Message);
            }
        }
    }

    /// <summary>
    /// Writes what the reader sends: each slice in its own transaction (copied into staging, or straight into
    /// the table on a backfill), merged and committed with the sync state once the slice was read whole.
    /// </summary>
    private async Task WriteSlicesAsync(Ga4Report report, string propertyId, long runId, Ga4RunTally tally, ChannelReader<SliceWork> pages,
        CancellationToken cancellationToken)
    {
        Ga4SyncStore.Slice? slice = null;
        try
        {
            await foreach (var work in pages.ReadAllAsync(cancellationToken))
            {
                switch (work)
                {
                    case SliceStarted:
                        if (slice is not null)
                        {
                            await slice.DisposeAsync(); // an attempt that failed: nothing of it is kept
                        }

                        slice = await store.BeginSliceAsync(report, propertyId, work.From, work.To, cancellationToken);
                        break;
                    case PageRead page:
                        await slice!.WritePageAsync(page.RequestIndex, page.Request, page.Response, cancellationToken);
                        break;
                    case SliceRead read:
                        var costUnavailable = report == Ga4Report.Channels && await slice!.ClearBlockedCostAsync(read.CostRestricted, cancellationToken);
                        var counts = await slice!.CommitAsync(runId, propertyId, read.TimeZone, cancellationToken);
                        await slice.DisposeAsync();
                        slice = null;
                        tally.RowsRead += read.Rows;
                        tally.RowsWritten += counts.Written;
                        tally.RowsDeleted += counts.Deleted;
                        tally.Revisions += counts.Revisions;
                        tally.DaysRevised += counts.DaysRevised;
                        tally.CostUnavailable |= costUnavailable;
                        tally.Slices++;
                        tally.SyncedThrough = tally.SyncedThrough is { } through && through > read.To ? through : read.To;
                        break;
                }
            }
        }
        finally
        {
            if (slice is not null)
            {
                await slice.DisposeAsync(); // a slice not read whole (the reader failed or stopped): rolled back
            }
        }
    }

    private static bool IsWorthReadingAgain(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        RowCountMovedException or HttpRequestException or IOException or JsonException or Polly.Timeout.TimeoutRejectedException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static JobSummary Summary(Ga4Report report, string propertyId, Ga4RunTally tally, string status, string? note, IReadOnlyList<Ga4SyncStore.Revision> revisions) =>
        new(tally.RowsRead, tally.RowsWritten, new Dictionary<string, object?>
        {
            ["property"] = propertyId,
            ["report"] = report.Name,
            ["table"] = report.Table,
            ["status"] = status,
            ["timeZone"] = tally.TimeZone,
            ["from"] = tally.RangeStart,
            ["to"] = tally.RangeEnd,
            ["syncedThrough"] = tally.SyncedThrough,
            ["slices"] = tally.Slices,
            ["requests"] = tally.Requests,
            ["rowsDeleted"] = tally.RowsDeleted,
            ["daysRevised"] = tally.DaysRevised,
            ["revisions"] = revisions.Select(r => r.Describe()).ToList(),
            ["tokensConsumed"] = tally.TokensConsumed,
            ["tokensPerDayRemaining"] = tally.TokensPerDayRemaining,
            ["tokensPerHourRemaining"] = tally.TokensPerHourRemaining,
            ["costUnavailable"] = tally.CostUnavailable,
            ["flags"] = tally.Flags.ToJson(),
            ["note"] = note,
        });

    private sealed class RowCountMovedException(string message) : Exception(message);

    /// <summary>What the reader hands the writer: a slice (re)starts, one page of it, the slice read whole.</summary>
    private abstract record SliceWork(DateOnly From, DateOnly To);

    private sealed record SliceStarted(DateOnly From, DateOnly To) : SliceWork(From, To);

    private sealed record PageRead(DateOnly From, DateOnly To, int RequestIndex, RunReportRequest Request, RunReportResponse Response) : SliceWork(From, To);

    private sealed record SliceRead(DateOnly From, DateOnly To, long Rows, string? TimeZone, bool CostRestricted) : SliceWork(From, To);
}

internal static partial class Ga4SyncLog
{
    [LoggerMessage(8101, LogLevel.Information, "GA4 {Report} of property {PropertyId}: reading {From} to {To} ({TimeZone})")]
    public static partial void Reading(ILogger logger, string report, string propertyId, DateOnly from, DateOnly to, string? timeZone);

    [LoggerMessage(8102, LogLevel.Warning, "GA4 {Report} of property {PropertyId}: slice {From} to {To} read again after attempt {Attempt} ({ErrorType}: {ErrorMessage})")]
    public static partial void SliceRetried(ILogger logger, string report, string propertyId, DateOnly from, DateOnly to, int attempt, string errorType, string errorMessage);

    [LoggerMessage(8103, LogLevel.Warning, "GA4 {Report} of property {PropertyId}: stopped before {Day}: {Reason}")]
    public static partial void StoppedForQuota(ILogger logger, string report, string propertyId, DateOnly day, string reason);

    [LoggerMessage(8104, LogLevel.Warning, "GA4 property {PropertyId} changed its time zone from {Before} to {After}")]
    public static partial void TimeZoneChanged(ILogger logger, string propertyId, string before, string after);

    [LoggerMessage(8105, LogLevel.Information, "GA4 {Report} of property {PropertyId} {Status}: {RowsRead} rows read, {RowsWritten} written, {DaysRevised} days revised")]
    public static partial void Finished(ILogger logger, string report, string propertyId, string status, long rowsRead, long rowsWritten, long daysRevised);
}
