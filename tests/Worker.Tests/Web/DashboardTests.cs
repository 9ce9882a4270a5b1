using System.Net;
using System.Security.Claims;
using Dapper;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Worker.Tests.Security;

namespace Worker.Tests.Web;

public sealed class DashboardTests(DashboardServer server) : IClassFixture<DashboardServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_anonymous_browser_is_sent_to_sign_in_and_scripts_get_401()
    {
        using var anonymous = server.Session();

        var page = await anonymous.GetPageAsync("/hangfire/etl");
        var script = await anonymous.GetAsync("/hangfire/etl");
        var post = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/hangfire/etl/run/prune-run-history"));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin?returnUrl=%2Fhangfire%2Fetl", page.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.Unauthorized, script.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    [Fact]
    public async Task Signing_in_sets_an_HttpOnly_Secure_SameSite_cookie_and_goes_to_the_dashboard()
    {
        using var ops = server.Session();

        var response = await ops.SignInAsync("ops@example.com");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/hangfire", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(ops.LastSetCookies, c => c.StartsWith("worker.auth=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=lax", cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetPageAsync("/hangfire")).StatusCode);
    }

    [Theory]
    [InlineData("ops@example.com", "wrong-password", "Email or password is wrong.")]
    [InlineData("nobody@example.com", "worker-dev-password", "Email or password is wrong.")]
    public async Task A_wrong_password_or_unknown_email_is_refused_with_one_message(string email, string password, string message)
    {
        using var session = server.Session();

        var response = await session.SignInAsync(email, password);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain(session.LastSetCookies, c => c.StartsWith("worker.auth=", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("unconfirmed", "email_confirmed_at = null", "This account's email address is not confirmed yet.")]
    [InlineData("banned", "banned_until = now() + interval '1 day'", "This account is suspended.")]
    [InlineData("deleted", "deleted_at = now()", "This account no longer exists.")]
    public async Task Unconfirmed_banned_and_deleted_accounts_are_refused(string name, string state, string message)
    {
        await using (var connection = await server.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync($"""
                insert into auth.users (id, email, encrypted_password, email_confirmed_at)
                values (md5('user:{name}')::uuid, '{name}@example.com', extensions.crypt('worker-dev-password', extensions.gen_salt('bf', 4)), now());
                update profiles set role_id = md5('role:ops')::uuid where id = md5('user:{name}')::uuid;
                update auth.users set {state} where id = md5('user:{name}')::uuid;
                """);
        }

        using var session = server.Session();
        var response = await session.SignInAsync($"{name}@example.com");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_sign_in_attempts_are_throttled()
    {
        using var session = server.Session();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await session.SignInAsync("guess-me@example.com", "guess-" + i)).StatusCode);
        }

        var last = await session.SignInAsync("guess-me@example.com", "guess-again");

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 5).Append(HttpStatusCode.TooManyRequests), statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Equal("60", last.Headers.GetValues("Retry-After").Single());
        Assert.Contains("Too many sign-in attempts", await last.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_without_the_anti_forgery_token_is_refused()
    {
        using var session = server.Session();

        var response = await session.SignInAsync("ops@example.com", withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The form expired or did not come from this site", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_without_job_permissions_gets_403()
    {
        using var marketing = server.Session();
        await marketing.SignInAsync("marketing@example.com");

        Assert.Equal(HttpStatusCode.Forbidden, (await marketing.GetPageAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task A_director_sees_the_ETL_page_read_only_and_cannot_trigger_or_retry()
    {
        using var director = server.Session();
        await director.SignInAsync("director@example.com");

        var page = await director.GetPageAsync("/hangfire/etl");
        var html = await page.Content.ReadAsStringAsync();
        var run = await director.DashboardPostAsync("/hangfire/etl/run/prune-run-history");
        var trigger = await director.DashboardPostAsync("/hangfire/recurring/trigger", new Dictionary<string, string> { ["jobs[]"] = "prune-run-history" });

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-job=\"prune-run-history\"", html, StringComparison.Ordinal);
        Assert.Contains("website_analytics", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Run now", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, run.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, trigger.StatusCode);
    }

    [Fact]
    public async Task Ops_can_run_a_job_now_and_its_run_shows_on_the_ETL_page()
    {
        using var ops = server.Session();
        await ops.SignInAsync("ops@example.com");
        var finished = server.Process.WaitForOutputAsync(new System.Text.RegularExpressions.Regex(@"Job prune-run-history run \d+ succeeded"), Timeout);

        var response = await ops.DashboardPostAsync("/hangfire/etl/run/prune-run-history");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await finished;
        var html = await (await ops.GetPageAsync("/hangfire/etl")).Content.ReadAsStringAsync();
        Assert.Contains("Run now", html, StringComparison.Ordinal);
        var pruneRow = html[html.IndexOf("data-job=\"prune-run-history\"", StringComparison.Ordinal)..];
        Assert.DoesNotContain("<td class=\"last-success\">never</td>", pruneRow[..pruneRow.IndexOf("</tr>", StringComparison.Ordinal)], StringComparison.Ordinal);
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        Assert.Equal("succeeded", await connection.ExecuteScalarAsync<string>(
            "select status from worker.job_runs where job_id = 'prune-run-history' and trigger = 'manual' order by id desc limit 1"));
    }

    [Fact]
    public async Task A_Supabase_access_token_is_accepted_as_a_bearer_token_and_a_forged_one_is_not()
    {
        using var client = server.Client();

        var valid = await BearerGetAsync(client, Token(DashboardServer.JwtSecret, Actor.Ops.UserId!.Value, TimeSpan.FromMinutes(5)));
        var forged = await BearerGetAsync(client, Token("some-other-secret-that-is-long-enough-for-hs256-000000", Actor.Ops.UserId!.Value, TimeSpan.FromMinutes(5)));
        var expired = await BearerGetAsync(client, Token(DashboardServer.JwtSecret, Actor.Ops.UserId!.Value, TimeSpan.FromMinutes(-5)));
        var marketing = await BearerGetAsync(client, Token(DashboardServer.JwtSecret, Actor.Marketing.UserId!.Value, TimeSpan.FromMinutes(5)));

        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, marketing.StatusCode);
    }

    private static Task<HttpResponseMessage> BearerGetAsync(HttpClient client, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire/etl");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }

    /// <summary>A token shaped like Supabase Auth's: HS256, aud "authenticated", sub the user id.</summary>
    internal static string Token(string secret, Guid userId, TimeSpan expiresIn) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", userId.ToString()), new Claim("role", "authenticated")]),
        Audience = "authenticated",
        NotBefore = DateTime.UtcNow.Add(expiresIn).AddMinutes(-10),
        IssuedAt = DateTime.UtcNow.Add(expiresIn).AddMinutes(-10),
        Expires = DateTime.UtcNow.Add(expiresIn),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
    });
}
