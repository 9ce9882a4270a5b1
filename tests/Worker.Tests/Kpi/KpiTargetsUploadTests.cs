using System.Net;
using System.Text;
using System.Text.Json;
using Dapper;
using Worker.Tests.Web;

namespace Worker.Tests.Kpi;

/// <summary>Who may load KPI targets, over real HTTP against the worker process (seeded database).</summary>
public sealed class KpiTargetsUploadTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static HttpRequestMessage Post(string content, string fileName) =>
        new(HttpMethod.Post, $"/api/imports/kpi_targets?fileName={fileName}") { Content = new StringContent(content, Encoding.UTF8, "text/csv") };

    [Fact]
    public async Task Marketing_gets_403_and_no_targets_option_while_an_admin_loads_targets_through_the_api()
    {
        using var marketing = server.Session();
        await marketing.SignInAsync("marketing@example.com");
        using var admin = server.Session();
        await admin.SignInAsync("admin@example.com");

        var refused = await marketing.SendAsync(Post("KPI,Period,Target\nLeads,2031-01,999\n", "marketing-targets.csv"));
        var marketingPage = await (await marketing.GetPageAsync("/uploads")).Content.ReadAsStringAsync();
        var adminPage = await (await admin.GetPageAsync("/uploads")).Content.ReadAsStringAsync();
        var accepted = await admin.SendAsync(Post("KPI,Period,Target,Note\nLeads,2031-01,999,from the API\n", "admin-targets.csv"));
        await server.Process.WaitForOutputAsync("admin-targets.csv into", Timeout);
        var batch = JsonDocument.Parse(await (await admin.GetAsync(accepted.Headers.Location!.OriginalString)).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("manage KPI definitions", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"kpi_targets\"", marketingPage, StringComparison.Ordinal);
        Assert.Contains("value=\"digital_channels\"", marketingPage, StringComparison.Ordinal);
        Assert.Contains("value=\"kpi_targets\"", adminPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(("loaded", 1), (batch.GetProperty("status").GetString(), batch.GetProperty("inserted").GetInt32()));
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<(decimal Target, string Note)>(
            "select t.target_value, t.note from kpi_targets t join kpi_metrics k on k.id = t.kpi_id where k.name = 'Leads' and t.effective_from = '2031-01-01'");
        Assert.Equal((999m, "from the API"), stored);
    }
}
