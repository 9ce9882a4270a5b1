using System.Globalization;

namespace Worker.Web.EtlSections;

/// <summary>How the ETL page writes times and durations.</summary>
public static class Times
{
    public static string Utc(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Utc(DateTimeOffset time) => Utc(time.UtcDateTime);

    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Count(long? value) => (value ?? 0).ToString("N0", CultureInfo.InvariantCulture);
}
