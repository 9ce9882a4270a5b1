using System.Text.Json;
using System.Text.Json.Serialization;

namespace Worker.Ingestion.Ga4;

// The Data API v1beta messages this worker uses, named and shaped as in google/analytics/data/v1beta
// (data.proto, analytics_data_api.proto) and their JSON mapping: camelCase names, int64 as strings,
// every dimension and metric value a string. Fields this worker does not use are left out.

public sealed record Dimension(string Name);

public sealed record Metric(string Name);

public sealed record DateRange(string StartDate, string EndDate);

public sealed record OrderBy
{
    public DimensionOrderBy? Dimension { get; init; }

    public bool Desc { get; init; }
}

public sealed record DimensionOrderBy(string DimensionName, string OrderType = "ALPHANUMERIC");

public sealed record RunReportRequest
{
    /// <summary>"properties/{id}"; sent in the path, not the body.</summary>
    [JsonIgnore]
    public string Property { get; init; } = "";

    public IReadOnlyList<Dimension> Dimensions { get; init; } = [];

    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    public IReadOnlyList<DateRange> DateRanges { get; init; } = [];

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long Offset { get; init; }

    [JsonNumberHandling(JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString)]
    public long Limit { get; init; }

    public IReadOnlyList<OrderBy> OrderBys { get; init; } = [];

    public bool KeepEmptyRows { get; init; }

    public bool ReturnPropertyQuota { get; init; }
}

public sealed record BatchRunReportsRequest
{
    [JsonIgnore]
    public string Property { get; init; } = "";

    /// <summary>At most five, all for <see cref="Property"/>.</summary>
    public IReadOnlyList<RunReportRequest> Requests { get; init; } = [];
}

public sealed record DimensionHeader(string Name);

public sealed record MetricHeader(string Name, string? Type);

public sealed record DimensionValue(string? Value);

public sealed record MetricValue(string? Value);

public sealed record Row(IReadOnlyList<DimensionValue> DimensionValues, IReadOnlyList<MetricValue> MetricValues);

public sealed record SamplingMetadata(
    [property: JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)] long SamplesReadCount,
    [property: JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)] long SamplingSpaceSize);

public sealed record ActiveMetricRestriction(string? MetricName, IReadOnlyList<string>? RestrictedMetricTypes);

public sealed record SchemaRestrictionResponse(IReadOnlyList<ActiveMetricRestriction>? ActiveMetricRestrictions);

public sealed record ResponseMetaData
{
    public bool DataLossFromOtherRow { get; init; }

    public SchemaRestrictionResponse? SchemaRestrictionResponse { get; init; }

    public string? CurrencyCode { get; init; }

    public string? TimeZone { get; init; }

    public string? EmptyReason { get; init; }

    public bool SubjectToThresholding { get; init; }

    public IReadOnlyList<SamplingMetadata>? SamplingMetadatas { get; init; }

    public IReadOnlyList<string>? DataTruncationReasons { get; init; }
}

public sealed record QuotaStatus(int Consumed, int Remaining);

public sealed record PropertyQuota
{
    public QuotaStatus? TokensPerDay { get; init; }

    public QuotaStatus? TokensPerHour { get; init; }

    public QuotaStatus? ConcurrentRequests { get; init; }

    public QuotaStatus? ServerErrorsPerProjectPerHour { get; init; }

    public QuotaStatus? PotentiallyThresholdedRequestsPerHour { get; init; }

    public QuotaStatus? TokensPerProjectPerHour { get; init; }
}

public sealed record RunReportResponse
{
    public IReadOnlyList<DimensionHeader> DimensionHeaders { get; init; } = [];

    public IReadOnlyList<MetricHeader> MetricHeaders { get; init; } = [];

    public IReadOnlyList<Row> Rows { get; init; } = [];

    public int RowCount { get; init; }

    public ResponseMetaData? Metadata { get; init; }

    public PropertyQuota? PropertyQuota { get; init; }

    public string? Kind { get; init; }
}

public sealed record BatchRunReportsResponse
{
    public IReadOnlyList<RunReportResponse> Reports { get; init; } = [];

    public string? Kind { get; init; }
}

/// <summary>The error body Google APIs send: {"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED"}}.</summary>
public sealed record GoogleErrorBody(GoogleError? Error);

public sealed record GoogleError(int Code, string? Message, string? Status);

public static class Ga4Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
