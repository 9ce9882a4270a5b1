using System.ComponentModel.DataAnnotations;

namespace Worker.Ingestion.Csv;

/// <summary>The "Imports" section.</summary>
public sealed class ImportsOptions
{
    public const string Section = "Imports";

    /// <summary>Larger files are refused (413 on the API and the upload page).</summary>
    [Range(1, 100_000)]
    public int MaxFileMegabytes { get; set; } = 512;

    /// <summary>Errors reported (and, in partial mode, tolerated) per file before reading stops.</summary>
    [Range(1, 100_000)]
    public int MaxErrors { get; set; } = 100;

    /// <summary>Longer fields refuse the file (with its line and column): 1 MiB of characters by default.</summary>
    [Range(1, 64 * 1024)]
    public int MaxFieldKilobytes { get; set; } = 1024;

    public int MaxFieldChars => MaxFieldKilobytes * 1024;

    public long MaxFileBytes => MaxFileMegabytes * 1024L * 1024L;
}
