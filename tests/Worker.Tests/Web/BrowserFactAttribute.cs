namespace Worker.Tests.Web;

/// <summary>
/// A test that drives Debian's Chromium through Playwright. Skipped, saying why, on a machine without
/// Chromium; .ci/run installs it, so CI always runs these.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    // The binary itself, not /usr/bin/chromium: that wrapper script prints a harmless shell warning.
    public static readonly string? ChromiumPath = new[] { "/usr/lib/chromium/chromium", "/usr/bin/chromium" }.FirstOrDefault(File.Exists);

    public BrowserFactAttribute()
    {
        if (ChromiumPath is null)
        {
            Skip = "Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it.";
        }
    }
}
