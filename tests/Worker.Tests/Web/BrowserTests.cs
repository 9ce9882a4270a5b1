using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Worker.Tests.Web;

/// <summary>What ops do in a real browser: sign in, open the ETL page, run a job, see its run.</summary>
public sealed partial class BrowserTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [BrowserFact]
    public async Task Ops_sign_in_open_the_ETL_page_and_run_a_job_whose_run_then_shows()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);

        await page.GotoAsync(server.Url + "/hangfire/etl");
        Assert.EndsWith("/signin?returnUrl=%2Fhangfire%2Fetl", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#email", "ops@example.com");
        await page.FillAsync("#password", "worker-dev-password");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(server.Url + "/hangfire/etl");

        var row = page.Locator("tr[data-job='prune-run-history']");
        Assert.Equal("never", await row.Locator(".last-success").InnerTextAsync());
        var finished = server.Process.WaitForOutputAsync("Job prune-run-history run 1 succeeded", Timeout);
        await row.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await finished;
        await page.ReloadAsync();

        Assert.Matches(DateTimeCell(), await page.Locator("tr[data-job='prune-run-history'] .last-success").InnerTextAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "worker-etl-page.png"), FullPage = true });
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$")]
    private static partial Regex DateTimeCell();
}
