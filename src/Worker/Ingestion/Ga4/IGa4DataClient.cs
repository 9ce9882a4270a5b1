namespace Worker.Ingestion.Ga4;

/// <summary>
/// The two calls of the GA4 Data API v1beta this worker makes, shaped like the official
/// <c>BetaAnalyticsDataClient</c> (Google.Analytics.Data.V1Beta) so that it can replace this REST client
/// once it restores here.
/// </summary>
public interface IGa4DataClient
{
    Task<RunReportResponse> RunReportAsync(RunReportRequest request, CancellationToken cancellationToken);

    /// <summary>Up to five reports of one property in one round trip; each counts separately toward quotas.</summary>
    Task<BatchRunReportsResponse> BatchRunReportsAsync(BatchRunReportsRequest request, CancellationToken cancellationToken);
}
