using System.ComponentModel.DataAnnotations;

namespace Worker.Kpi;

/// <summary>The "Kpi" section.</summary>
public sealed class KpiOptions : IValidatableObject
{
    public const string Section = "Kpi";

    /// <summary>The business time zone (IANA id): where a day, week, month and quarter begin and end.</summary>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// How many days after a period closed its value may still change (late data, GA4's lookback):
    /// closed periods ending within this many days are recomputed and a change is recorded as a revision.
    /// </summary>
    [Range(0, 366)]
    public int SettleDays { get; set; } = 3;

    /// <summary>How many closed periods each KPI keeps computed for its trend (missing ones are backfilled).</summary>
    [Range(1, 60)]
    public int TrendPeriods { get; set; } = 8;

    /// <summary>After an ingestion, the refresh waits this long, so a burst of uploads causes one refresh.</summary>
    [Range(0, 3600)]
    public int RefreshDebounceSeconds { get; set; } = 30;

    /// <summary>A pending refresh request older than this is taken as lost (its worker died) and scheduled again.</summary>
    [Range(60, 86_400)]
    public int StaleRequestSeconds { get; set; } = 900;

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return new ValidationResult($"Kpi:TimeZone '{TimeZone}' is not a known time zone (use an IANA id such as Europe/London).", [nameof(TimeZone)]);
        }
    }
}
