using System.Net;
using System.Text.RegularExpressions;

namespace Worker.Tests.Web;

/// <summary>
/// A browser-like HTTP session that keeps its cookies itself (so tests can read their flags) and never
/// follows redirects, so tests see them.
/// </summary>
public sealed partial class WebSession : IDisposable
{
    private readonly HttpClient _http;
    private readonly Dictionary<string, string> _cookies = [];

    public WebSession(Uri baseAddress, HttpClientHandler handler)
    {
        handler.UseCookies = false;
        handler.AllowAutoRedirect = false;
        _http = new HttpClient(handler) { BaseAddress = baseAddress };
    }

    public IReadOnlyList<string> LastSetCookies { get; private set; } = [];

    public Task<HttpResponseMessage> GetPageAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Accept", "text/html" } } });

    public Task<HttpResponseMessage> GetAsync(string path, string accept = "application/json") =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Accept", accept } } });

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await _http.SendAsync(request);
        LastSetCookies = response.Headers.TryGetValues("Set-Cookie", out var set) ? set.ToList() : [];
        foreach (var cookie in LastSetCookies)
        {
            var pair = cookie.Split(';', 2)[0].Split('=', 2);
            if (pair[1].Length == 0)
            {
                _cookies.Remove(pair[0]);
            }
            else
            {
                _cookies[pair[0]] = pair[1];
            }
        }

        return response;
    }

    /// <summary>Opens the sign-in form and posts it, as a person would.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string email, string password = "worker-dev-password", bool withToken = true, string returnUrl = "/hangfire")
    {
        var form = await (await GetPageAsync("/signin")).Content.ReadAsStringAsync();
        var fields = new Dictionary<string, string> { ["email"] = email, ["password"] = password, ["returnUrl"] = returnUrl };
        if (withToken)
        {
            fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(FormToken().Match(form).Groups[1].Value);
        }

        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = new FormUrlEncodedContent(fields) });
    }

    /// <summary>A POST from a dashboard page's script: carries the anti-forgery token the page holds.</summary>
    public async Task<HttpResponseMessage> DashboardPostAsync(string path, IDictionary<string, string>? form = null)
    {
        var page = await (await GetPageAsync("/hangfire/etl")).Content.ReadAsStringAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form ?? new Dictionary<string, string>()) };
        request.Headers.Add("RequestVerificationToken", WebUtility.HtmlDecode(CsrfMeta().Match(page).Groups[1].Value));
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        return await SendAsync(request);
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex CsrfMeta();
}
