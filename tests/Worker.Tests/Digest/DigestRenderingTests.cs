using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using MimeKit;
using Worker.Digest;
using Worker.Tests.Web;

namespace Worker.Tests.Digest;

public sealed class DigestRenderingTests
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    [Fact]
    public async Task The_message_has_the_KPIs_the_charts_by_Content_ID_a_text_alternative_and_the_slice_as_CSV_and_XLSX()
    {
        var marketing = SampleCards.All.Where(c => c.Domain is "marketing" or "finance").ToList();
        var message = await RoundTripAsync(Content("Morgan Marketing", marketing, London));

        Assert.Equal("KPI digest · Week 48, 23–29 Nov 2026 · 2 red, 7 amber", message.Subject);
        Assert.Equal(["morgan@example.com"], message.To.Mailboxes.Select(m => m.Address));
        DigestMessageAssert.HoldsExactly(message, marketing, London);
        var html = System.Net.WebUtility.HtmlDecode(DigestMessageAssert.Html(message));
        Assert.Contains("color-scheme\" content=\"light only\"", html, StringComparison.Ordinal);
        Assert.Contains("revised from 398", html, StringComparison.Ordinal); // the revision mark
        Assert.Contains("▼ −9.1 %", html, StringComparison.Ordinal); // change against the comparable period
        Assert.Contains("Prepared Mon 30 Nov 2026 06:45 Europe/London", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_are_shown_in_the_recipients_time_zone()
    {
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var message = await RoundTripAsync(Content("Kenji", SampleCards.All.Where(c => c.Domain == "operations").ToList(), tokyo));

        Assert.Contains("Prepared Mon 30 Nov 2026 15:45 Asia/Tokyo", DigestMessageAssert.Html(message), StringComparison.Ordinal);
        Assert.Contains("Data as of Mon 30 Nov 2026 15:15 Asia/Tokyo", DigestMessageAssert.Html(message), StringComparison.Ordinal);
        DigestMessageAssert.HoldsExactly(message, [.. SampleCards.All.Where(c => c.Domain == "operations")], tokyo);
    }

    [Fact]
    public async Task A_reader_with_no_KPIs_gets_a_page_that_says_so_and_no_chart()
    {
        var message = await RoundTripAsync(Content("Nobody", [], London));

        Assert.Contains("There are no KPIs you may read yet.", DigestMessageAssert.Html(message), StringComparison.Ordinal);
        Assert.DoesNotContain(message.BodyParts.OfType<MimePart>(), p => p.ContentType.MimeType == "image/png");
    }

    [BrowserFact]
    public async Task The_email_as_a_mail_client_would_show_it_is_saved_as_a_picture()
    {
        var content = Content("Dana Director", SampleCards.All, London);
        var rendered = await Renderer().RenderAsync(content);
        // The HTML with each cid: image swapped for its bytes, as a mail client shows it.
        var html = rendered.Html;
        foreach (var domain in content.Domains)
        {
            html = html.Replace("cid:" + domain.ChartId, "data:image/png;base64," + Convert.ToBase64String(rendered.Charts[domain.Domain]), StringComparison.Ordinal);
        }

        var screens = Directory.CreateDirectory("/tmp/screens").FullName;
        File.WriteAllText(Path.Combine(screens, "digest-email.html"), html);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        });
        foreach (var (scheme, width) in new[] { (ColorScheme.Light, 800), (ColorScheme.Dark, 800), (ColorScheme.Light, 390) })
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new() { Width = width, Height = 900 }, ColorScheme = scheme });
            await page.SetContentAsync(html);
            var file = Path.Combine(screens, $"digest-email-{scheme.ToString().ToLowerInvariant()}-{width}.png");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            Assert.True(new FileInfo(file).Length > 10_000);
            // Light even when the reader's system is dark.
            Assert.Equal("rgb(255, 255, 255)", await page.EvaluateAsync<string>("getComputedStyle(document.querySelector('table table')).backgroundColor"));
        }
    }

    private static DigestContent Content(string name, IReadOnlyList<Worker.Kpi.KpiCard> cards, TimeZoneInfo zone) =>
        DigestContent.Create(name, DigestPeriod.LastComplete("week", SampleCards.ComputedAt, zone), zone, SampleCards.ComputedAt, cards, "https://worker.example.com");

    private static DigestRenderer Renderer() => new(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);

    private static async Task<MimeMessage> RoundTripAsync(DigestContent content)
    {
        var rendered = await Renderer().RenderAsync(content);
        var message = rendered.ToMessage(new MailboxAddress("KPI worker", "worker@example.com"), new MailboxAddress(content.RecipientName, "morgan@example.com"));
        using var wire = new MemoryStream();
        await message.WriteToAsync(wire);
        wire.Position = 0;
        return await MimeMessage.LoadAsync(wire);
    }
}
