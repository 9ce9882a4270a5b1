using System.Net;

namespace Worker.Ingestion.Ga4;

public enum Ga4ErrorKind
{
    /// <summary>400 INVALID_ARGUMENT: the request is wrong (e.g. incompatible dimensions and metrics). Never retried.</summary>
    InvalidArgument,

    /// <summary>403 PERMISSION_DENIED: the account may not read the property. Never retried.</summary>
    PermissionDenied,

    /// <summary>401 after one token refresh.</summary>
    Unauthenticated,

    /// <summary>429 for the daily token quota: nothing works until it resets (midnight Pacific). Never retried.</summary>
    DailyQuotaExhausted,

    /// <summary>429 for the hourly, concurrent or other short quotas, still exhausted after backing off.</summary>
    QuotaExhausted,

    /// <summary>500/503/504, still failing after a few retries.</summary>
    ServerError,

    Other,
}

/// <summary>A GA4 Data API call failed; <see cref="Exception.Message"/> says what to do about it and holds no secret.</summary>
public sealed class Ga4ApiException(Ga4ErrorKind kind, HttpStatusCode statusCode, string? status, string message) : Exception(message)
{
    public Ga4ErrorKind Kind { get; } = kind;

    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The Google status name, e.g. RESOURCE_EXHAUSTED.</summary>
    public string? Status { get; } = status;

    /// <summary>Retrying (now or on the catalogue's schedule) cannot help: bad request, no access, bad credentials.</summary>
    public bool IsBadInput => Kind is Ga4ErrorKind.InvalidArgument or Ga4ErrorKind.PermissionDenied or Ga4ErrorKind.Unauthenticated;

    /// <summary>A 429 whose message names the daily token quota ("Exhausted property tokens per day.").</summary>
    public static bool IsDailyQuota(string? message) =>
        message is not null && message.Contains("per day", StringComparison.OrdinalIgnoreCase);
}
