namespace Worker.Ingestion.Ga4;

/// <summary>The metadata flags of a run's responses that make numbers less reliable.</summary>
public sealed class Ga4Flags
{
    public bool SubjectToThresholding { get; private set; }

    public bool DataLossFromOtherRow { get; private set; }

    public bool Sampled { get; private set; }

    public SortedSet<string> EmptyReasons { get; } = new(StringComparer.Ordinal);

    public SortedSet<string> DataTruncationReasons { get; } = new(StringComparer.Ordinal);

    public bool CostRestricted { get; private set; }

    public void Add(ResponseMetaData? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        SubjectToThresholding |= metadata.SubjectToThresholding;
        DataLossFromOtherRow |= metadata.DataLossFromOtherRow;
        Sampled |= metadata.SamplingMetadatas is { Count: > 0 };
        if (metadata.EmptyReason is { Length: > 0 } empty)
        {
            EmptyReasons.Add(empty);
        }

        foreach (var reason in metadata.DataTruncationReasons ?? [])
        {
            DataTruncationReasons.Add(reason);
        }

        CostRestricted |= metadata.SchemaRestrictionResponse?.ActiveMetricRestrictions?.Any(r =>
            r.MetricName == "advertiserAdCost" || r.RestrictedMetricTypes?.Contains("COST_DATA") == true) == true;
    }

    /// <summary>Only the flags that are raised.</summary>
    public Dictionary<string, object> ToJson()
    {
        var json = new Dictionary<string, object>(StringComparer.Ordinal);
        if (SubjectToThresholding)
        {
            json["subjectToThresholding"] = true;
        }

        if (DataLossFromOtherRow)
        {
            json["dataLossFromOtherRow"] = true;
        }

        if (Sampled)
        {
            json["sampled"] = true;
        }

        if (EmptyReasons.Count > 0)
        {
            json["emptyReason"] = EmptyReasons.ToArray();
        }

        if (DataTruncationReasons.Count > 0)
        {
            json["dataTruncationReasons"] = DataTruncationReasons.ToArray();
        }

        return json;
    }
}

/// <summary>What one sync run did, added up over its requests and slices.</summary>
public sealed class Ga4RunTally
{
    public DateOnly? RangeStart { get; set; }

    public DateOnly? RangeEnd { get; set; }

    public DateOnly? SyncedThrough { get; set; }

    public string? TimeZone { get; set; }

    public int Requests { get; set; }

    public long RowsRead { get; set; }

    public long RowsWritten { get; set; }

    public long RowsDeleted { get; set; }

    public long DaysRevised { get; set; }

    public long Revisions { get; set; }

    public long TokensConsumed { get; set; }

    public long? TokensPerDayRemaining { get; set; }

    public long? TokensPerHourRemaining { get; set; }

    public bool CostUnavailable { get; set; }

    public int Slices { get; set; }

    public Ga4Flags Flags { get; } = new();

    public void Add(RunReportResponse response)
    {
        Flags.Add(response.Metadata);
        if (response.PropertyQuota is { } quota)
        {
            TokensConsumed += quota.TokensPerDay?.Consumed ?? 0;
            TokensPerDayRemaining = quota.TokensPerDay?.Remaining ?? TokensPerDayRemaining;
            TokensPerHourRemaining = quota.TokensPerHour?.Remaining ?? TokensPerHourRemaining;
        }
    }
}
