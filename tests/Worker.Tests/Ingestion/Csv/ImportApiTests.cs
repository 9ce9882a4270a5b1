using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Worker.Tests.Web;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>The import API and upload page over real HTTPS against the worker process.</summary>
public sealed class ImportApiTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private async Task<WebSession> SignedInAsync(string who)
    {
        var session = server.Session();
        await session.SignInAsync($"{who}@example.com");
        return session;
    }

    private async Task<JsonElement> WaitForBatchAsync(WebSession session, string location, string fileName)
    {
        await server.Process.WaitForOutputAsync($"{fileName} into", Timeout);
        var response = await session.GetAsync(location);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task A_csv_body_is_accepted_with_202_and_its_batch_reports_exact_counts()
    {
        using var marketing = await SignedInAsync("marketing");
        var body = new StringContent("Date,Channel,Sessions,Cost\n2030-01-01,API Channel,10,5\n2030-01-02,API Channel,11,6\n", Encoding.UTF8, "text/csv");

        var response = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/imports/digital_channels?fileName=api-body.csv") { Content = body });
        var batch = await WaitForBatchAsync(marketing, response.Headers.Location!.OriginalString, "api-body.csv");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Matches("^/api/imports/[0-9a-f-]{36}$", response.Headers.Location!.OriginalString);
        Assert.Equal(("loaded", 2, 2, 0, "marketing@example.com", "api"),
            (batch.GetProperty("status").GetString(), batch.GetProperty("rowsRead").GetInt32(), batch.GetProperty("inserted").GetInt32(),
             batch.GetProperty("rejected").GetInt32(), batch.GetProperty("uploadedBy").GetString(), batch.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task A_multipart_upload_of_a_bad_file_is_refused_with_line_numbered_errors_and_a_safe_error_report()
    {
        using var marketing = await SignedInAsync("marketing");
        var form = new MultipartFormDataContent
        {
            { new StringContent("Date,Channel,Sessions\n2030-02-01,=cmd(),x\n2030-02-02,Email,3\n"), "file", "bad-upload.csv" },
        };

        var response = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/imports/digital_channels") { Content = form });
        var batch = await WaitForBatchAsync(marketing, response.Headers.Location!.OriginalString, "bad-upload.csv");
        var report = await (await marketing.GetAsync(batch.GetProperty("errorReport").GetString()!, "text/csv")).Content.ReadAsStringAsync();

        Assert.Equal("rejected", batch.GetProperty("status").GetString());
        var error = Assert.Single(batch.GetProperty("errors").EnumerateArray());
        Assert.Equal((2, "Sessions", "x", "is not a number"),
            (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetString(), error.GetProperty("value").GetString(), error.GetProperty("reason").GetString()));
        Assert.Contains("bad-upload.csv,2,Sessions,x,is not a number", report, StringComparison.Ordinal);
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        await using var count = new Npgsql.NpgsqlCommand("select count(*) from digital_channels where report_date >= '2030-02-01'", connection);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Unknown_datasets_missing_permissions_anonymous_callers_and_large_files_get_their_status_codes()
    {
        using var marketing = await SignedInAsync("marketing");
        using var ops = await SignedInAsync("ops");
        using var anonymous = server.Session();
        HttpRequestMessage Post(string dataset, string content) =>
            new(HttpMethod.Post, $"/api/imports/{dataset}") { Content = new StringContent(content, Encoding.UTF8, "text/csv") };

        var unknown = await marketing.SendAsync(Post("payroll", "a,b\n"));
        var forbidden = await ops.SendAsync(Post("digital_channels", "Date,Channel\n2030-01-01,X\n"));
        var unauthorised = await anonymous.SendAsync(Post("digital_channels", "Date,Channel\n2030-01-01,X\n"));
        var tooLarge = await marketing.SendAsync(Post("digital_channels", "Date,Channel\n" + new string('x', 1_200_000)));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("larger than the limit of 1 MiB", await tooLarge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Supabase_access_token_may_upload_too()
    {
        using var client = server.Client();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports/marketing_attribution?fileName=bearer.csv")
        {
            Content = new StringContent("Date,Channel,Last click\n2030-03-01,Email,4\n", Encoding.UTF8, "text/csv"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DashboardTests.Token(DashboardServer.JwtSecret, Security.Actor.Marketing.UserId!.Value, TimeSpan.FromMinutes(5)));

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await server.Process.WaitForOutputAsync("bearer.csv into", Timeout);
    }

    [Fact]
    public async Task A_file_refused_before_any_row_shows_a_dash_for_its_counts_in_the_upload_history()
    {
        using var marketing = await SignedInAsync("marketing");

        var response = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/imports/digital_channels?fileName=no-columns.csv")
        {
            Content = new StringContent("Colour,Shape\nred,round\n", Encoding.UTF8, "text/csv"),
        });
        var batch = await WaitForBatchAsync(marketing, response.Headers.Location!.OriginalString, "no-columns.csv");
        var history = await (await marketing.GetPageAsync("/uploads")).Content.ReadAsStringAsync();

        Assert.Equal("rejected", batch.GetProperty("status").GetString());
        var row = System.Text.RegularExpressions.Regex.Match(history, "<tr>(?:(?!</tr>).)*" + System.Text.RegularExpressions.Regex.Escape("no-columns.csv</a>") + "(?:(?!</tr>).)*</tr>",
            System.Text.RegularExpressions.RegexOptions.Singleline).Value;
        Assert.Contains("<td class=\"number\">—</td>", WebUtility.HtmlDecode(row), StringComparison.Ordinal);
        Assert.DoesNotContain(" /  / ", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_upload_page_takes_a_file_and_shows_its_counts_and_the_history()
    {
        using var marketing = await SignedInAsync("marketing");
        var page = await (await marketing.GetPageAsync("/uploads")).Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("website_analytics"), "dataset" },
            { new StringContent("Date,Views,Sessions,Bounce rate\n20300101,\"4,000\",1500,27.61%\n"), "file", "ga4-site.csv" },
        };

        var posted = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = form });
        await server.Process.WaitForOutputAsync("ga4-site.csv into", Timeout);
        var status = await (await marketing.GetPageAsync(posted.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        var history = await (await marketing.GetPageAsync("/uploads")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Contains("Loaded.", status, StringComparison.Ordinal);
        Assert.Contains("<td>1</td><td>1</td><td>0</td><td>0</td><td>0</td>", status, StringComparison.Ordinal);
        Assert.Contains("ga4-site.csv</a>", history, StringComparison.Ordinal);
        Assert.Contains("marketing@example.com", history, StringComparison.Ordinal);
        Assert.Contains("Website analytics".ToLowerInvariant().Replace(' ', '_'), history, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_upload_page_is_for_those_who_may_upload()
    {
        using var director = await SignedInAsync("director");

        Assert.Equal(HttpStatusCode.Forbidden, (await director.GetPageAsync("/uploads")).StatusCode);
    }
}
