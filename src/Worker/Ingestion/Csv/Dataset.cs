namespace Worker.Ingestion.Csv;

/// <summary>How a CSV cell becomes a value.</summary>
public enum FieldKind
{
    Text,
    Date,
    Count,
    Decimal,
    Money,
    /// <summary>A share: "27.61%", "27.61" or "0.2761" all mean 0.2761.</summary>
    Fraction,
    /// <summary>Seconds: "135", "135.5" or "00:02:15".</summary>
    Seconds,
}

/// <summary>One column a dataset accepts: the table column it fills and the headers real exports use for it.</summary>
public sealed record DatasetColumn(string Column, FieldKind Kind, bool Required, params string[] Aliases)
{
    /// <summary>Allowed values, for text columns with a domain (content types).</summary>
    public IReadOnlySet<string>? AllowedValues { get; init; }

    /// <summary>Looked up by name in marketing_campaigns; the table gets the campaign's id.</summary>
    public bool IsCampaignReference { get; init; }

    public string StagingSqlType => Kind switch
    {
        FieldKind.Text => "text",
        FieldKind.Date => "date",
        FieldKind.Count => "bigint",
        _ => "numeric",
    };

    /// <summary>Every header that maps to this column, normalised (the column name itself included).</summary>
    public IEnumerable<string> NormalisedHeaders => Aliases.Append(Column).Select(HeaderName.Normalise).Distinct();
}

/// <summary>
/// A kind of file marketing can upload: its table, its columns and the natural key that makes loading
/// idempotent. The table's unique constraint is on exactly <see cref="NaturalKey"/> plus <see cref="DefaultedKey"/>.
/// </summary>
public sealed record Dataset(string Name, string Table, string Description, IReadOnlyList<DatasetColumn> Columns, IReadOnlyList<string> NaturalKey)
{
    /// <summary>Pairs of date columns where the second may not be before the first.</summary>
    public IReadOnlyList<(string Start, string End)> DateRanges { get; init; } = [];

    /// <summary>
    /// Key columns a file never fills: their default marks the row as an upload (source = 'csv', beside
    /// the GA4 sync's 'ga4:&lt;property&gt;' rows of the same days; docs/schema.md).
    /// </summary>
    public IReadOnlyList<string> DefaultedKey { get; init; } = [];

    public DatasetColumn Column(string name) => Columns.Single(c => c.Column == name);
}

/// <summary>Headers are compared case-, space- and punctuation-insensitively: "Session default channel group" = "session_default_channel_group".</summary>
public static class HeaderName
{
    public static string Normalise(string header) =>
        new(header.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
