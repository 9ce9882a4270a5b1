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

    /// <summary>Uploads (API and page) being received at once in this process; more get 429.</summary>
    [Range(1, 1_000)]
    public int MaxConcurrentUploads { get; set; } = 16;

    /// <summary>Uploads one user may send at once; more get 429.</summary>
    [Range(1, 100)]
    public int MaxConcurrentUploadsPerUser { get; set; } = 4;

    /// <summary>
    /// Kestrel's minimum request body data rate: a body arriving slower than this, once the grace period
    /// is over, is cut off (408). Applies to every request body; uploads are the only large ones.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MinUploadBytesPerSecond { get; set; } = 4096;

    /// <summary>How long a body may arrive slower than <see cref="MinUploadBytesPerSecond"/> before it is cut off.</summary>
    [Range(2, 600)]
    public int UploadGracePeriodSeconds { get; set; } = 10;

    public long MaxFileBytes => MaxFileMegabytes * 1024L * 1024L;
}
