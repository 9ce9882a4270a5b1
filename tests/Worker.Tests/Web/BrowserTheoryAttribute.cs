namespace Worker.Tests.Web;

/// <summary>A <see cref="BrowserFactAttribute"/> with data: skipped, saying why, without Chromium.</summary>
public sealed class BrowserTheoryAttribute : TheoryAttribute
{
    public BrowserTheoryAttribute()
    {
        if (BrowserFactAttribute.ChromiumPath is null)
        {
            Skip = "Chromium is not installed (Debian: apt-get install chromium); .ci/run installs it.";
        }
    }
}
