using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using Worker.Tests.Web;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>A worker with one marketing session signed in once (signing in per test would meet the sign-in throttle).</summary>
public sealed class UploadServer : DashboardServer
{
    private readonly SemaphoreSlim _signIn = new(1);
    private WebSession? _marketing;

    public async Task<WebSession> MarketingAsync()
    {
        await _signIn.WaitAsync();
        try
        {
            if (_marketing is null)
            {
                _marketing = Session();
                await _marketing.SignInAsync("marketing@example.com");
            }

            return _marketing;
        }
        finally
        {
            _signIn.Release();
        }
    }
}

/// <summary>Hostile and malformed uploads over real HTTPS: each is refused with problem JSON, and nothing is stored.</summary>
public sealed class UploadHardeningTests(UploadServer server) : IClassFixture<UploadServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private Task<WebSession> MarketingAsync() => server.MarketingAsync();

    private async Task<long> BatchesNamedAsync(string fileName)
    {
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("select count(*) from worker.import_batches where file_name = @fileName", new { fileName });
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        return JsonDocument.Parse(body).RootElement;
    }

    private static HttpRequestMessage CsvPost(string fileName, string csv = "Date,Channel,Sessions\n2032-01-01,Hardening,1\n") =>
        new(HttpMethod.Post, $"/api/imports/digital_channels?fileName={fileName}") { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };

    private static async Task<string> FormTokenAsync(WebSession session)
    {
        var page = await (await session.GetPageAsync("/uploads")).Content.ReadAsStringAsync();
        return WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
    }

    [Fact]
    public async Task An_upload_form_posted_without_its_anti_forgery_token_is_refused_and_nothing_is_stored()
    {
        var marketing = await MarketingAsync();
        var form = new MultipartFormDataContent
        {
            { new StringContent("digital_channels"), "dataset" },
            { new StringContent("Date,Channel,Sessions\n2032-01-01,Forged,1\n"), "file", "forged-form.csv" },
        };

        var response = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = form });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("did not come from this site", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await BatchesNamedAsync("forged-form.csv"));
    }

    [Fact]
    public async Task An_upload_form_with_two_files_is_refused()
    {
        var marketing = await MarketingAsync();
        var form = new MultipartFormDataContent
        {
            { new StringContent(await FormTokenAsync(marketing)), "__RequestVerificationToken" },
            { new StringContent("digital_channels"), "dataset" },
            { new StringContent("Date,Channel,Sessions\n2032-01-01,One,1\n"), "file", "two-form-1.csv" },
            { new StringContent("Date,Channel,Sessions\n2032-01-02,Two,1\n"), "file", "two-form-2.csv" },
        };

        var response = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = form });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("one file per upload", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await BatchesNamedAsync("two-form-1.csv") + await BatchesNamedAsync("two-form-2.csv"));
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    public async Task A_cookie_authenticated_API_upload_sent_by_another_site_is_refused(string header, string value)
    {
        var marketing = await MarketingAsync();
        var fileName = $"cross-{header}-{value.GetHashCode(StringComparison.Ordinal):x}.csv";
        var request = CsvPost(fileName);
        request.Headers.TryAddWithoutValidation(header, value);

        var response = await marketing.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        await ProblemAsync(response);
        Assert.Equal(0, await BatchesNamedAsync(fileName));
    }

    [Fact]
    public async Task An_API_upload_from_this_sites_own_page_is_accepted()
    {
        var marketing = await MarketingAsync();
        var fetch = CsvPost("same-origin-fetch.csv");
        fetch.Headers.Add("Sec-Fetch-Site", "same-origin");
        var oldBrowser = CsvPost("same-origin-old-browser.csv");
        oldBrowser.Headers.Add("Origin", server.Url);

        var fromFetch = await marketing.SendAsync(fetch);
        var fromOldBrowser = await marketing.SendAsync(oldBrowser);

        Assert.True(fromFetch.StatusCode == HttpStatusCode.Accepted, $"{fromFetch.StatusCode}: {await fromFetch.Content.ReadAsStringAsync()}");
        Assert.True(fromOldBrowser.StatusCode == HttpStatusCode.Accepted, $"{fromOldBrowser.StatusCode}: {await fromOldBrowser.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=\"not-the-one-in-the-body\"")]
    [InlineData("multipart/form-data; boundary=0123456789012345678901234567890123456789012345678901234567890123456789x")]
    public async Task A_multipart_body_whose_boundary_does_not_fit_gets_400_problem_json(string contentType)
    {
        var marketing = await MarketingAsync();
        var body = new StringContent("--real-boundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"boundary.csv\"\r\n\r\nDate,Channel\n2032-01-01,X\n\r\n--real-boundary--\r\n");
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/imports/digital_channels") { Content = body });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("boundary", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await BatchesNamedAsync("boundary.csv"));
    }

    [Fact]
    public async Task Two_files_in_one_multipart_API_request_are_refused()
    {
        var marketing = await MarketingAsync();
        var form = new MultipartFormDataContent
        {
            { new StringContent("Date,Channel,Sessions\n2032-01-01,One,1\n"), "file", "two-api-1.csv" },
            { new StringContent("Date,Channel,Sessions\n2032-01-02,Two,1\n"), "other", "two-api-2.csv" },
        };

        var response = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/imports/digital_channels") { Content = form });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("one file per request", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await BatchesNamedAsync("two-api-1.csv"));
    }

    [Fact]
    public async Task A_chunked_upload_over_the_limit_gets_413_problem_json()
    {
        var marketing = await MarketingAsync();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("Date,Channel\n" + new string('x', 1_200_000))));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/imports/digital_channels?fileName=chunked-large.csv") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await marketing.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("larger than the limit of 1 MiB", (await ProblemAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await BatchesNamedAsync("chunked-large.csv"));
    }

    [Fact]
    public async Task A_chunked_upload_form_over_the_limit_gets_413()
    {
        var marketing = await MarketingAsync();
        var form = new MultipartFormDataContent
        {
            { new StringContent(await FormTokenAsync(marketing)), "__RequestVerificationToken" },
            { new StringContent("digital_channels"), "dataset" },
            { new StringContent("Date,Channel\n" + new string('x', 1_200_000)), "file", "chunked-form-large.csv" },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = form };
        request.Headers.TransferEncodingChunked = true;

        var response = await marketing.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await ProblemAsync(response);
        Assert.Equal(0, await BatchesNamedAsync("chunked-form-large.csv"));
    }

    [Fact]
    public async Task An_unexpected_error_is_a_500_problem_without_internals()
    {
        var marketing = await MarketingAsync();
        var id = Guid.NewGuid();
        await using (var connection = await server.Database.DataSource.OpenConnectionAsync())
        {
            // A record the code cannot read (errors of the wrong shape): a fault, not a request mistake.
            await connection.ExecuteAsync("""
                insert into worker.import_batches (id, dataset, file_name, sha256, size_bytes, source, uploaded_by_name, options, errors)
                values (@id, 'digital_channels', 'unreadable.csv', '', 0, 'api', 'test', '{}', '{"not": "a list"}')
                """, new { id });
        }

        var response = await marketing.GetAsync($"/api/imports/{id}");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("Json", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Worker.", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_of_100000_columns_gets_a_short_message()
    {
        var marketing = await MarketingAsync();
        var header = string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"c{i}"));

        var response = await marketing.SendAsync(CsvPost("wide-header.csv", header + "\n1,2,3\n"));
        await server.Process.WaitForOutputAsync("wide-header.csv into digital_channels refused", TimeSpan.FromSeconds(90));
        var batch = JsonDocument.Parse(await (await marketing.GetAsync(response.Headers.Location!.OriginalString)).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("rejected", batch.GetProperty("status").GetString());
        var message = batch.GetProperty("message").GetString()!;
        Assert.InRange(message.Length, 1, 2_000);
        Assert.Contains("Found: 'c0', 'c1',", message, StringComparison.Ordinal);
        Assert.Contains(" and 99988 more", message, StringComparison.Ordinal);
    }
}
