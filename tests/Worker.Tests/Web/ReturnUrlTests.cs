using Worker.Web;

namespace Worker.Tests.Web;

public sealed class ReturnUrlTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/uploads")]
    [InlineData("/hangfire/etl")]
    [InlineData("/uploads/5f0c1a52-8f7b-4a44-9f0e-0d6f4b2c6e11?tab=errors#top")]
    [InlineData("/kpis?from=2031-01-01&to=2031-01-31")]
    [InlineData("/search?q=a%20b")]
    public void A_path_of_this_site_is_kept(string url) => Assert.Equal(url, ReturnUrl.Local(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("http:/evil.example")]
    [InlineData("evil.example")]
    [InlineData("~/uploads")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/\t/evil.example")] // what /%09/evil.example is once the query string is decoded
    [InlineData("/%09/evil.example")] // the same, encoded once more
    [InlineData("/%2509/evil.example")]
    [InlineData("/\n/x")]
    [InlineData("/%0A/x")]
    [InlineData("/%0d%0aSet-Cookie:%20x=y")]
    [InlineData("/%2F/evil.example")]
    [InlineData("/%5C/evil.example")]
    [InlineData("/signin?returnUrl=/uploads")]
    [InlineData("/signout")]
    public void Anything_else_is_refused(string? url) => Assert.Null(ReturnUrl.Local(url));
}
