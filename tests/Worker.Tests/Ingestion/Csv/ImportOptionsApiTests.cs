using System.Net;
using System.Text;
using System.Text.Json;
using Worker.Tests.Web;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>The import options over HTTP: ?set=, sumDuplicates, a refused date format, and the upload form's "set" field.</summary>
public sealed class ImportOptionsApiTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private async Task<WebSession> MarketingAsync()
    {
        var session = server.Session();
        await session.SignInAsync("marketing@example.com");
        return session;
    }

    private async Task<string?> ChannelsAsync(string date)
    {
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select string_agg(channel_name || ' ' || cost, '; ' order by channel_name) from digital_channels where report_date = '{date}'", connection);
        return await command.ExecuteScalarAsync() as string;
    }

    [Fact]
    public async Task The_API_takes_repeatable_set_parameters_and_sum_duplicates_and_refuses_a_bad_date_format_with_400()
    {
        using var marketing = await MarketingAsync();
        HttpRequestMessage Post(string query, string csv) =>
            new(HttpMethod.Post, "/api/imports/digital_channels?" + query) { Content = new StringContent(csv, Encoding.UTF8, "text/csv") };

        var accepted = await marketing.SendAsync(Post("fileName=api-set.csv&set=channel_name%3DAPI%20Set&sumDuplicates=true", "Day,Cost\n2031-01-01,2.50\n2031-01-01,1.25\n"));
        await server.Process.WaitForOutputAsync("api-set.csv into", Timeout);
        var batch = JsonDocument.Parse(await (await marketing.GetAsync(accepted.Headers.Location!.OriginalString)).Content.ReadAsStringAsync()).RootElement;
        var badFormat = await marketing.SendAsync(Post("fileName=bad.csv&dateFormat=m/d/yyyy", "Day,Channel,Cost\n9/1/2031,A,1\n"));
        var badSet = await marketing.SendAsync(Post("fileName=bad.csv&set=channel_name", "Day,Cost\n2031-01-01,1\n"));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal("loaded", batch.GetProperty("status").GetString());
        Assert.Equal("API Set 3.75", await ChannelsAsync("2031-01-01"));
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Contains("'m', which is not a day, month or year part", await badFormat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badSet.StatusCode);
        Assert.Contains("is not column=value", await badSet.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_upload_form_accepts_a_set_field()
    {
        using var marketing = await MarketingAsync();
        var page = await (await marketing.GetPageAsync("/uploads")).Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("digital_channels"), "dataset" },
            { new StringContent("channel_name=Form Set"), "set" },
            { new StringContent("Day,Cost\n2031-02-01,4.00\n"), "file", "form-set.csv" },
        };

        var posted = await marketing.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/uploads") { Content = form });
        await server.Process.WaitForOutputAsync("form-set.csv into", Timeout);

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("Form Set 4.00", await ChannelsAsync("2031-02-01"));
    }
}
