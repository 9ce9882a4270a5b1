using System.ComponentModel.DataAnnotations;

namespace Worker.Ingestion.Ga4;

/// <summary>The GA4 Data API connection (configuration section "Ga4").</summary>
public sealed class Ga4Options
{
    public const string Section = "Ga4";

    /// <summary>The Data API's address; the tests point it at their loopback fake.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://analyticsdata.googleapis.com/");

    /// <summary>A service-account key file (JSON). Empty: application-default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud, metadata server).</summary>
    public string CredentialsFile { get; set; } = "";

    /// <summary>Rows per page (GA4 allows up to 250,000).</summary>
    [Range(1, 250_000)]
    public int PageSize { get; set; } = 100_000;

    /// <summary>Days per slice of a backfill; each slice is written and committed with its sync state.</summary>
    [Range(1, 366)]
    public int SliceDays { get; set; } = 30;

    /// <summary>How often a slice is read again whole after a network failure or a row count that moved between pages.</summary>
    [Range(1, 10)]
    public int SliceAttempts { get; set; } = 3;

    /// <summary>First wait after a 429 for an hourly or concurrent quota (doubled each time, plus jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan QuotaBackoff { get; set; } = TimeSpan.FromSeconds(30);

    [Range(0, 10)]
    public int QuotaRetries { get; set; } = 3;

    /// <summary>First wait after a 500/503/504. GA4 counts server errors against a small hourly quota: keep retries few.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ServerErrorBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(0, 5)]
    public int ServerErrorRetries { get; set; } = 2;

    /// <summary>Per attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The property's token quotas (standard properties; Analytics 360 has about ten times more).</summary>
    [Range(1, int.MaxValue)]
    public int TokensPerDay { get; set; } = 200_000;

    [Range(1, int.MaxValue)]
    public int TokensPerHour { get; set; } = 40_000;

    /// <summary>A backfill stops (and resumes next run) when less than this share of the hourly or daily tokens remains.</summary>
    [Range(0.0, 1.0)]
    public double MinQuotaShare { get; set; } = 0.10;
}
