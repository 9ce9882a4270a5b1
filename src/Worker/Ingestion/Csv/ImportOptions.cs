namespace Worker.Ingestion.Csv;

/// <summary>How one file is to be read and loaded.</summary>
public sealed record ImportOptions
{
    /// <summary>Load the valid rows and reject the rest (with reasons) instead of all-or-nothing.</summary>
    public bool Partial { get; init; }

    /// <summary>Stop reading after this many errors; in partial mode, this many errors fail the whole file.</summary>
    public int MaxErrors { get; init; } = 100;

    /// <summary>A date format for dates that are neither YYYY-MM-DD nor YYYYMMDD, e.g. "dd/MM/yyyy" (see <see cref="DateFormats"/>).</summary>
    public string? DateFormat { get; init; }

    /// <summary>
    /// Numbers are written 1.234,56 (true) or 1,234.56 (false); null: inferred from the file, and a file
    /// whose numbers could be read either way is refused.
    /// </summary>
    public bool? DecimalComma { get; init; }

    /// <summary>Rows sharing a key are summed (additive columns only) instead of refused.</summary>
    public bool SumDuplicates { get; init; }

    /// <summary>A value for every row, for a column the file lacks (<c>--set channel_name=LinkedIn</c>): column name → value.</summary>
    public IReadOnlyDictionary<string, string>? Set { get; init; }

    /// <summary>
    /// Reads <c>column=value</c> pairs (from --set, ?set= or the upload form's "set" field). Null and the
    /// message when one is malformed.
    /// </summary>
    public static (IReadOnlyDictionary<string, string>? Set, string? Problem) ParseSet(IEnumerable<string?> pairs)
    {
        var set = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            var parts = pair!.Split('=', 2);
            if (parts.Length != 2 || parts[0].Trim().Length == 0)
            {
                return (null, $"'{pair}' is not column=value (e.g. channel_name=LinkedIn).");
            }

            set[parts[0].Trim()] = parts[1].Trim();
        }

        return (set.Count == 0 ? null : set, null);
    }

    /// <summary>Validate and compute what would change, then roll back.</summary>
    public bool DryRun { get; init; }
}

/// <summary>One problem with a file: where it is and why. Line and column are absent for whole-file problems.</summary>
public sealed record ImportError(long? Line, string? Column, string? Value, string Reason)
{
    public string Describe(string fileName) =>
        (Line, Column) switch
        {
            (null, _) => $"{fileName}: {Reason}",
            (_, null) => $"{fileName}:{Line}: {Reason}",
            _ => $"{fileName}:{Line}: column '{Column}' value '{Value}' {Reason}",
        };
}

public enum ImportStatus
{
    /// <summary>Every row loaded (or, in a dry run, would load).</summary>
    Loaded,
    /// <summary>Partial mode: the valid rows loaded, the rest rejected.</summary>
    PartiallyLoaded,
    /// <summary>Nothing changed: the file or some of its rows are wrong.</summary>
    Rejected,
}

/// <summary>What an import did, with exact counts.</summary>
public sealed record ImportResult(
    string FileName,
    string Dataset,
    ImportStatus Status,
    long RowsRead,
    long Inserted,
    long Updated,
    long Unchanged,
    long Rejected,
    long Skipped,
    IReadOnlyList<ImportError> Errors,
    IReadOnlyList<string> Notes,
    bool DryRun)
{
    /// <summary>Rows folded into another row with the same key (<see cref="ImportOptions.SumDuplicates"/>).</summary>
    public long Combined { get; init; }

    public bool Succeeded => Status != ImportStatus.Rejected;
}

/// <summary>The file as a whole cannot be read (empty, binary, too large, no header): the message says why.</summary>
public sealed class ImportRejectedException(string reason) : Exception(reason);
