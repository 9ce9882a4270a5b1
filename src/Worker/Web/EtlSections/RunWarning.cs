using System.Globalization;
using System.Text.Json;

namespace Worker.Web.EtlSections;

/// <summary>
/// Whether a successful run still needs a look, from its summary: input it refused (an inbox file
/// rejected, rows rejected, files skipped) or a <c>warning</c> detail a job sets itself. A run that
/// refused input is a warning on the ETL page, not a plain success.
/// </summary>
public static class RunWarning
{
    public static string? From(string? summaryJson)
    {
        if (summaryJson is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(summaryJson);
            if (!document.RootElement.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var said = new List<string>();
            if (details.TryGetProperty("warning", out var warning) && warning.ValueKind == JsonValueKind.String && warning.GetString() is { Length: > 0 } text)
            {
                said.Add(text);
            }

            Count(details, "filesWithErrors", "file refused", "files refused", said);
            Count(details, "rejected", "row rejected", "rows rejected", said);
            Count(details, "skipped", "file skipped", "files skipped", said);
            return said.Count == 0 ? null : string.Join("; ", said);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void Count(JsonElement details, string name, string one, string many, List<string> said)
    {
        if (details.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) && n > 0)
        {
            said.Add(n.ToString("N0", CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many));
        }
    }
}
