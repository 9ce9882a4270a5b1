using System.Text.RegularExpressions;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Declared date formats: day, month and year parts and separators only, each part once. "m/d/yyyy"
/// is refused (m is minutes in .NET formats and would move every date to January).
/// </summary>
public static partial class DateFormats
{
    public const string Examples = "dd/MM/yyyy, M/d/yyyy, d.M.yyyy or yyyy/MM/dd";

    /// <summary>Null when the format is usable, else why not and what to write instead.</summary>
    public static string? Problem(string format)
    {
        var tokens = Token().Matches(format).Select(m => m.Value).ToList();
        var bad = tokens.FirstOrDefault(t => !Part().IsMatch(t) && !Separator().IsMatch(t));
        if (bad is not null)
        {
            return $"The date format '{format}' has '{bad}', which is not a day, month or year part: use d or dd for the day, M or MM " +
                $"(capital M; m is minutes) or MMM for the month, yy or yyyy for the year, e.g. {Examples}.";
        }

        foreach (var (letter, name) in new[] { ('d', "day"), ('M', "month"), ('y', "year") })
        {
            var count = tokens.Count(t => t[0] == letter);
            if (count != 1)
            {
                return $"The date format '{format}' must have the {name} exactly once, e.g. {Examples}.";
            }
        }

        return null;
    }

    [GeneratedRegex(@"(.)\1*")]
    private static partial Regex Token();

    [GeneratedRegex(@"^(d{1,2}|M{1,4}|yy|yyyy)$")]
    private static partial Regex Part();

    [GeneratedRegex(@"^[/\-. ,]+$")]
    private static partial Regex Separator();
}
