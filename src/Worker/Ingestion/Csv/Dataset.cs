using System.Globalization;
using System.Text.RegularExpressions;

namespace Worker.Ingestion.Csv;

/// <summary>How a CSV cell becomes a value, and the one CLR type the parser returns for it.</summary>
public enum FieldKind
{
    /// <summary>A <see cref="string"/>.</summary>
    Text,
    /// <summary>A <see cref="DateOnly"/>.</summary>
    Date,
    /// <summary>A whole number, a <see cref="long"/>.</summary>
    Count,
    /// <summary>A <see cref="decimal"/>.</summary>
    Decimal,
    /// <summary>A <see cref="decimal"/> amount of money.</summary>
    Money,
    /// <summary>A share as a <see cref="decimal"/>: "27.61%", "27.61" or "0.2761" all mean 0.2761.</summary>
    Fraction,
    /// <summary>Seconds as a <see cref="decimal"/>: "135", "135.5" or "00:02:15".</summary>
    Seconds,
}

/// <summary>One column a dataset accepts: the table column it fills and the headers real exports use for it.</summary>
public sealed partial record DatasetColumn(string Column, FieldKind Kind, bool Required, params string[] Aliases)
{
    /// <summary>Allowed values, for text columns with a domain (content types).</summary>
    public IReadOnlySet<string>? AllowedValues { get; init; }

    /// <summary>Looked up by name in marketing_campaigns; the table gets the campaign's id.</summary>
    public bool IsCampaignReference { get; init; }

    /// <summary>
    /// The column's type in the table, exactly as <c>format_type</c> spells it (a test compares them).
    /// The staging table and the binary COPY use it, so a value is always written as its column's type.
    /// </summary>
    public string SqlType { get; init; } = Kind switch
    {
        FieldKind.Text => "text",
        FieldKind.Date => "date",
        FieldKind.Count => "bigint",
        FieldKind.Fraction => "numeric(7,6)",
        FieldKind.Seconds => "numeric(12,3)",
        _ => "numeric(14,2)",
    };

    /// <summary>Whether rows sharing a key may be summed (counts and money; not users, rates or durations).</summary>
    public bool Additive { get; init; } = Kind is FieldKind.Count or FieldKind.Decimal or FieldKind.Money;

    /// <summary>Longest text accepted (a key longer than this would not fit the table's unique index).</summary>
    public int MaxLength { get; init; } = 500;

    /// <summary>The name a marketer writes for this column ("campaign", not the internal campaign_id).</summary>
    public string DisplayName => IsCampaignReference ? "campaign" : Column;

    /// <summary>The type of the staging table's column: campaigns are staged by name and looked up later.</summary>
    public string StagingSqlType => IsCampaignReference ? "text" : SqlType;

    /// <summary>How the binary COPY writes this column.</summary>
    public CopyType CopyType => StagingSqlType switch
    {
        "text" => CopyType.Text,
        "date" => CopyType.Date,
        "bigint" => CopyType.Bigint,
        "integer" => CopyType.Integer,
        _ when StagingSqlType.StartsWith("numeric", StringComparison.Ordinal) => CopyType.Numeric,
        _ => throw new InvalidOperationException($"No COPY type for {StagingSqlType}."),
    };

    /// <summary>The largest value the column holds (integer, bigint, numeric(p,s)).</summary>
    public decimal MaxValue => StagingSqlType switch
    {
        "integer" => int.MaxValue,
        "bigint" => long.MaxValue,
        _ when NumericType().Match(StagingSqlType) is { Success: true } m =>
            Pow10(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
            - Pow10(-int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)),
        _ => decimal.MaxValue,
    };

    /// <summary>Every header that maps to this column, normalised (the column name itself included), best first.</summary>
    public IReadOnlyList<string> NormalisedHeaders { get; } = [.. Aliases.Append(Column).Select(HeaderName.Normalise).Distinct()];

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result = exponent > 0 ? result * 10 : result / 10;
        }

        return result;
    }

    [GeneratedRegex(@"^numeric\((\d+),(\d+)\)$")]
    private static partial Regex NumericType();
}

/// <summary>The PostgreSQL type a value is written as in the binary COPY.</summary>
public enum CopyType
{
    Text,
    Date,
    Bigint,
    Integer,
    Numeric,
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

    /// <summary>The value (an SQL literal) the <see cref="DefaultedKey"/> columns take for an upload.</summary>
    public const string UploadKeyValue = "'csv'";

    /// <summary>
    /// For datasets of one row per day: headers of a period's end ("Reporting ends"). A row whose end
    /// differs from its date covers a period and is refused; equal, it is the normal daily case.
    /// </summary>
    public IReadOnlyList<string> PeriodEndAliases { get; init; } = [];

    /// <summary>How to export this dataset by day, for the error on a row that covers a period.</summary>
    public string? ByDayHint { get; init; }

    /// <summary>
    /// The permission a user needs to load this dataset through the page or the API (marketing's
    /// datasets: upload_marketing_data; KPI targets: manage_kpi_definitions).
    /// </summary>
    public string Permission { get; init; } = "upload_marketing_data";

    public DatasetColumn Column(string name) => Columns.Single(c => c.Column == name);

    /// <summary>A column by its table or display name ("campaign" or "campaign_id").</summary>
    public DatasetColumn? FindColumn(string name) =>
        Columns.FirstOrDefault(c => c.Column.Equals(name, StringComparison.OrdinalIgnoreCase) || c.DisplayName.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the column is part of the natural key.</summary>
    public bool IsKeyColumn(DatasetColumn column) => NaturalKey.Contains(column.Column);
}

/// <summary>Headers are compared case-, space- and punctuation-insensitively: "Session default channel group" = "session_default_channel_group".</summary>
public static class HeaderName
{
    public static string Normalise(string header) =>
        new(header.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
