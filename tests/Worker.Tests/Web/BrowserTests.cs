using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Worker.Tests.Web;

/// <summary>What people do in a real browser: ops run a job from the ETL page; marketing upload files.</summary>
public sealed partial class BrowserTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [BrowserFact]
    public async Task Ops_sign_in_open_the_ETL_page_and_run_a_job_whose_run_then_shows()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
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
        var finished = server.Process.WaitForOutputAsync(PruneSucceeded(), Timeout);
        await row.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await finished;

        // The dashboard's own script reloads the first tab after the click, whenever the POST returns;
        // a second tab of the same signed-in browser is out of its reach.
        var check = await context.NewPageAsync();
        await check.GotoAsync(server.Url + "/hangfire/etl");
        Assert.Matches(DateTimeCell(), await check.Locator("tr[data-job='prune-run-history'] .last-success").InnerTextAsync());
        await check.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "worker-etl-page.png"), FullPage = true });
    }

    [BrowserFact]
    public async Task Marketing_uploads_a_good_file_and_a_bad_one_and_sees_the_counts_and_the_line_numbered_errors()
    {
        var folder = Directory.CreateTempSubdirectory("browser-upload-").FullName;
        var good = Path.Combine(folder, "channels-good.csv");
        var bad = Path.Combine(folder, "channels-bad.csv");
        File.WriteAllText(good, "Date,Channel,Sessions,Cost\n2031-01-01,Browser Channel,10,\"$1,200.00\"\n2031-01-02,Browser Channel,12,5\n");
        File.WriteAllText(bad, "Date,Channel,Sessions\n2031-02-01,Browser Channel,many\n2031-02-31,Browser Channel,3\n");
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchAsync(playwright);
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
            await page.GotoAsync(server.Url + "/uploads");
            await page.FillAsync("#email", "marketing@example.com");
            await page.FillAsync("#password", "worker-dev-password");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync(server.Url + "/uploads");

            await page.SelectOptionAsync("#dataset", "digital_channels");
            await page.SetInputFilesAsync("#file", good);
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
            await page.Locator("p.status.ok").WaitForAsync(); // the status page refreshes itself until loaded
            var counts = await page.Locator("table.counts").InnerTextAsync();

            await page.GotoAsync(server.Url + "/uploads");
            await page.SelectOptionAsync("#dataset", "digital_channels");
            await page.SetInputFilesAsync("#file", bad);
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
            await page.Locator("p.status.error").WaitForAsync();
            var headline = await page.Locator("p.status").InnerTextAsync();
            var errors = await page.Locator("table.errors tbody tr").AllInnerTextsAsync();

            Assert.Contains("2\t2\t0\t0\t0", counts, StringComparison.Ordinal); // read, inserted, updated, unchanged, rejected
            Assert.Equal("Refused: nothing was changed.", headline);
            Assert.Equal(["2\tSessions\tmany\tis not a number", "3\tDate\t2031-02-31\tis not a real calendar date"], errors);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "worker-upload-refused.png"), FullPage = true });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [BrowserTheory]
    [InlineData("director", "/hangfire/etl", "/kpis")]
    [InlineData("admin", "/hangfire/etl", "/hangfire/etl")]
    [InlineData("sales", "/digest/preview", "/kpis")]
    [InlineData("marketing", "/uploads", "/uploads")]
    [InlineData("ops", "/hangfire/etl", "/hangfire/etl")]
    [InlineData("finance", "/digest/preview", "/kpis")]
    public async Task Each_role_signs_in_lands_on_its_page_opens_every_link_it_is_offered_and_signs_out(string role, string landing, string landingWithKpis)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new() { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        var kpis = await page.APIRequest.GetAsync(server.Url + "/kpis", new() { MaxRedirects = 0 });
        var expected = kpis.Status == 404 ? landing : landingWithKpis;

        await page.GotoAsync(server.Url + "/signin");
        await page.FillAsync("#email", $"{role}@example.com");
        await page.FillAsync("#password", "worker-dev-password");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(server.Url + expected);
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "screens"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "screens", $"{role}-landing.png"), FullPage = true });

        // The navigation: ours on the worker's pages, Hangfire's on the dashboard's.
        var links = await page.Locator("nav.navbar ul.nav a, .navbar .navbar-nav a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.NotEmpty(links);
        foreach (var link in links.Where(l => l != "/signout").Distinct())
        {
            var response = await page.GotoAsync(server.Url + link);
            Assert.True(response is { Status: 200 }, $"{role}: {link} answered {response?.Status}");
            Assert.DoesNotContain("This page is not open to your role", await page.ContentAsync(), StringComparison.Ordinal);
        }

        // Signing out from where the user landed: the layout's button, or the dashboard menu's link.
        await page.GotoAsync(server.Url + expected);
        if (expected.StartsWith("/hangfire", StringComparison.Ordinal))
        {
            await page.ClickAsync(".navbar-nav a[href='/signout']");
        }
        else
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        }

        await page.WaitForURLAsync(server.Url + "/signin");
        await page.GotoAsync(server.Url + expected);
        Assert.StartsWith(server.Url + "/signin", page.Url, StringComparison.Ordinal);
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = BrowserFactAttribute.ChromiumPath,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    [GeneratedRegex(@"Job prune-run-history run \d+ succeeded")]
    private static partial Regex PruneSucceeded();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$")]
    private static partial Regex DateTimeCell();
}
