using Microsoft.Playwright;
using Worker.Tests.Kpi;
using Worker.Tests.Web;

namespace Worker.Tests.Digest;

/// <summary>The preview page in a real browser, against the real worker process, seeded database and KPI snapshots.</summary>
public sealed class DigestPreviewBrowserTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [BrowserFact]
    public async Task A_director_sees_their_digest_and_a_marketing_user_only_marketing()
    {
        await KpiData.RefreshAsync(server.Database.DataSource);
        await KpiData.SnapshotJob(server.Database.DataSource, TimeProvider.System).SnapshotAsync(null, CancellationToken.None);
        var screens = Directory.CreateDirectory("/tmp/screens").FullName;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        foreach (var (who, domains) in new[] { ("director", new[] { "Sales", "Marketing", "Operations", "Finance" }), ("marketing", new[] { "Marketing" }) })
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new() { Width = 1100, Height = 900 } });
            var page = await context.NewPageAsync();
            page.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
            await page.GotoAsync(server.Url + "/digest/preview");
            await page.FillAsync("#email", who + "@example.com");
            await page.FillAsync("#password", "worker-dev-password");
            await page.ClickAsync("button[type=submit]");
            await page.WaitForURLAsync(server.Url + "/digest/preview");

            var status = await page.Locator(".digest-status").InnerTextAsync();
            Assert.Contains(who == "director" ? "You receive this digest every week" : "Your role does not receive the digest", status, StringComparison.Ordinal);
            var email = page.FrameLocator("iframe.digest-email");
            await email.Locator("h2").First.WaitForAsync();
            Assert.Equal(domains, await email.Locator("h2").AllInnerTextsAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screens, $"digest-preview-{who}.png") });

            // The e-mail on its own, whole, with the charts the preview serves.
            var alone = await context.NewPageAsync();
            await alone.GotoAsync(server.Url + "/digest/preview/email");
            await alone.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.True(await alone.EvaluateAsync<bool>("[...document.images].every(i => i.complete && i.naturalWidth === 600)"));
            await alone.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screens, $"digest-preview-email-{who}.png"), FullPage = true });
        }
    }
}
