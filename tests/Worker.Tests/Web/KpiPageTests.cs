using System.Net;
using System.Text.Json;
using Worker.Tests.Kpi;

namespace Worker.Tests.Web;

/// <summary>The KPI page, its JSON and its CSV against the seeded database, after a refresh and a snapshot.</summary>
public sealed class KpiPageTests(KpiPageTests.Server server) : IClassFixture<KpiPageTests.Server>
{
    public sealed class Server : DashboardServer, IAsyncLifetime
    {
        async Task IAsyncLifetime.InitializeAsync()
        {
            await InitializeAsync();
            await KpiData.RefreshAsync(Database.DataSource);
            await KpiData.SnapshotJob(Database.DataSource, TimeProvider.System).SnapshotAsync(null, CancellationToken.None);
        }

        Task IAsyncLifetime.DisposeAsync() => DisposeAsync();
    }

    [Fact]
    public async Task A_director_sees_every_domain_with_values_targets_status_and_a_trend()
    {
        using var session = server.Session();
        await session.SignInAsync("director@example.com");

        var response = await session.GetPageAsync("/kpis");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var heading in new[] { ">Sales</h2>", ">Marketing</h2>", ">Operations</h2>", ">Finance</h2>" })
        {
            Assert.Contains(heading, html, StringComparison.Ordinal);
        }

        Assert.Contains("Won value", html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"sparkline\"", html, StringComparison.Ordinal);
        Assert.Matches("class=\"status status-(green|amber|red|no_data|no_target)\"", html);
        Assert.Contains("data as of", html, StringComparison.Ordinal);
        Assert.Contains("aria-current=\"page\"", html, StringComparison.Ordinal); // in the shared layout, KPIs is the current page
    }

    [Fact]
    public async Task A_sales_user_sees_only_sales_kpis_on_the_page_in_the_json_and_in_the_csv()
    {
        using var session = server.Session();
        await session.SignInAsync("sales@example.com");

        var html = await (await session.GetPageAsync("/kpis")).Content.ReadAsStringAsync();
        var json = await session.GetAsync("/api/kpis");
        var csv = await session.GetAsync("/kpis.csv", accept: "text/csv");

        Assert.Contains(">Sales</h2>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">Marketing</h2>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Cost per lead", html, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        var domains = document.RootElement.GetProperty("kpis").EnumerateArray().Select(k => k.GetProperty("domain").GetString()).Distinct().ToList();
        Assert.Equal(["sales"], domains);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("domain,kpi,grain,period_kind", lines[0], StringComparison.Ordinal);
        Assert.True(lines.Length > 1);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("sales,", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_browsers_are_sent_to_sign_in_and_scripts_get_401()
    {
        using var session = server.Session();

        var page = await session.GetPageAsync("/kpis");
        var api = await session.GetAsync("/api/kpis");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/signin", page.Headers.Location!.OriginalString.Replace(server.Url, "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }
}
