namespace Worker.Ingestion.Csv;

/// <summary>How one file is to be read and loaded.</summary>
public sealed record ImportOptions
{
    /// <summary>Load the valid rows and reject the rest (with reasons) instead of all-or-nothing.</summary>
    public bool Partial { get; init; }

    /// <summary>Stop reading after this many errors; in partial mode, this many errors fail the whole file.</summary>
    public int MaxErrors { get; init; } = 100;

    /// <summary>A date format for dates that are neither YYYY-MM-DD nor YYYYMMDD, e.g. "dd/MM/yyyy".</summary>
    public string? DateFormat { get; init; }

    /// <summary>Numbers are written 1.234,56 (decimal comma) rather than 1,234.56.</summary>
    public bool DecimalComma { get; init; }

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
    public bool Succeeded => Status != ImportStatus.Rejected;
}

/// <summary>The file as a whole cannot be read (empty, binary, too large, no header): the message says why.</summary>
public sealed class ImportRejectedException(string reason) : Exception(reason);
