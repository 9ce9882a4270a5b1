using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Worker.Ingestion.Csv;
using Worker.Tests.Security;
using Worker.Tests.Web;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>The import page's "Re-run" and POST /api/imports/{id}/rerun, over real HTTPS against the worker process.</summary>
public sealed partial class ImportRerunPageTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private async Task<WebSession> SignedInAsync(string who)
    {
        var session = server.Session();
        await session.SignInAsync($"{who}@example.com");
        return session;
    }

    /// <summary>An uploaded batch whose worker died and that interrupted-imports marked.</summary>
    private async Task<Guid> InterruptedBatchAsync(string fileName, string channel)
    {
        var batches = new ImportBatches(server.Database.DataSource);
        var id = await batches.CreateAsync("digital_channels", fileName, new MemoryStream(Encoding.UTF8.GetBytes($"Date,Channel,Sessions\n2031-03-01,{channel},7\n2031-03-02,{channel},8\n")),
            "upload", Actor.Marketing.UserId, "marketing@example.com", new ImportOptions(), 1 << 20, CancellationToken.None);
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            update worker.import_batches set status = 'interrupted', attempts = 3, started_at = now(), finished_at = now(),
              message = 'Interrupted: the worker running it (gone:1) stopped before it finished. Nothing was loaded.'
            where id = @id
            """, new { id });
        return id;
    }

    private static string FormToken(string page) => WebUtility.HtmlDecode(TokenField().Match(page).Groups[1].Value);

    private static HttpRequestMessage RerunForm(Guid id, string? token) => new(HttpMethod.Post, $"/uploads/{id}/rerun")
    {
        Content = new FormUrlEncodedContent(token is null ? [] : new Dictionary<string, string> { ["__RequestVerificationToken"] = token }),
    };

    [Fact]
    public async Task An_uploader_re_runs_an_interrupted_import_from_its_page_with_the_form_token_and_it_loads_once()
    {
        var id = await InterruptedBatchAsync("page-rerun.csv", "Page rerun");
        using var marketing = await SignedInAsync("marketing");
        using var director = await SignedInAsync("director");

        var page = await (await marketing.GetPageAsync($"/uploads/{id}")).Content.ReadAsStringAsync();
        var directorsPage = await (await director.GetPageAsync($"/uploads/{id}")).Content.ReadAsStringAsync();
        var withoutToken = await marketing.SendAsync(RerunForm(id, null));
        var byDirector = await director.SendAsync(RerunForm(id, FormToken(directorsPage)));
        var rerun = await marketing.SendAsync(RerunForm(id, FormToken(page)));
        await server.Process.WaitForOutputAsync("page-rerun.csv into digital_channels: Loaded", Timeout);
        var loadedPage = await (await marketing.GetPageAsync($"/uploads/{id}")).Content.ReadAsStringAsync();
        var again = await marketing.SendAsync(RerunForm(id, FormToken(loadedPage)));

        Assert.Contains("Interrupted: nothing was changed.", page, StringComparison.Ordinal);
        Assert.Contains($"action=\"/uploads/{id}/rerun\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/rerun\"", directorsPage, StringComparison.Ordinal); // no button for those who may not upload
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byDirector.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, rerun.StatusCode);
        Assert.Equal($"/uploads/{id}", rerun.Headers.Location!.OriginalString);
        Assert.Contains("Loaded.", loadedPage, StringComparison.Ordinal);
        Assert.DoesNotContain("/rerun\"", loadedPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("a finished import is final", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        Assert.Equal((2L, 15L), await connection.QuerySingleAsync<(long, long)>(
            "select count(*), sum(visits)::bigint from digital_channels where channel_name = 'Page rerun'"));
        Assert.Equal(("loaded", 2L, 4), await connection.QuerySingleAsync<(string, long, int)>(
            "select status, inserted, attempts from worker.import_batches where id = @id", new { id }));
    }

    [Fact]
    public async Task The_api_re_runs_an_interrupted_import_for_a_bearer_token_and_refuses_a_pruned_one_with_410()
    {
        var id = await InterruptedBatchAsync("api-rerun.csv", "API rerun");
        var pruned = await InterruptedBatchAsync("api-pruned.csv", "API pruned");
        await using (var connection = await server.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                delete from worker.import_files where batch_id = @pruned;
                update worker.import_batches set file_pruned_at = now() where id = @pruned
                """, new { pruned });
        }

        using var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DashboardTests.Token(DashboardServer.JwtSecret, Actor.Marketing.UserId!.Value, TimeSpan.FromMinutes(10)));
        using var ops = server.Client();
        ops.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DashboardTests.Token(DashboardServer.JwtSecret, Actor.Ops.UserId!.Value, TimeSpan.FromMinutes(10)));

        var forbidden = await ops.PostAsync($"/api/imports/{id}/rerun", null);
        var accepted = await client.PostAsync($"/api/imports/{id}/rerun", null);
        await server.Process.WaitForOutputAsync("api-rerun.csv into digital_channels: Loaded", Timeout);
        var gone = await client.PostAsync($"/api/imports/{pruned}/rerun", null);
        var unknown = await client.PostAsync($"/api/imports/{Guid.NewGuid()}/rerun", null);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal($"/api/imports/{id}", accepted.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Contains("was deleted by retention", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await using var check = await server.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(2L, await check.ExecuteScalarAsync<long>("select count(*) from digital_channels where channel_name = 'API rerun'"));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
