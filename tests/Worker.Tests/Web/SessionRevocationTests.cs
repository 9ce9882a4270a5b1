using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;

namespace Worker.Tests.Web;

/// <summary>A worker that re-reads accounts on every request (no cache window), so a test needs no clock.</summary>
public sealed class RevalidatingServer() : DashboardServer(new Dictionary<string, string> { ["Auth__AccountCheckSeconds"] = "0" });

/// <summary>Banned, deleted and unconfirmed accounts lose their sessions and tokens, over real HTTPS.</summary>
public sealed class SessionRevocationTests(RevalidatingServer server) : IClassFixture<RevalidatingServer>
{
    private async Task<Guid> MarketingUserAsync(string name)
    {
        var id = Guid.NewGuid();
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            insert into auth.users (id, email, encrypted_password, email_confirmed_at)
            values (@id, @email, extensions.crypt('worker-dev-password', extensions.gen_salt('bf', 4)), now());
            update profiles set role_id = md5('role:marketing')::uuid where id = @id;
            """, new { id, email = $"{name}@example.com" });
        return id;
    }

    private async Task SetAsync(Guid id, string state)
    {
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"update auth.users set {state} where id = @id", new { id });
    }

    private async Task<long> BatchesOfAsync(Guid id)
    {
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("select count(*) from worker.import_batches where uploaded_by = @id", new { id });
    }

    private static HttpRequestMessage Upload(string fileName, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/imports/digital_channels?fileName={fileName}")
        {
            Content = new StringContent("Date,Channel,Sessions\n2031-01-01,Revoked,1\n", Encoding.UTF8, "text/csv"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    [Theory]
    [InlineData("banned", "banned_until = now() + interval '1 day'")]
    [InlineData("deleted", "deleted_at = now()")]
    [InlineData("unconfirmed", "email_confirmed_at = null")]
    public async Task A_revoked_account_loses_its_cookie_session_and_its_bearer_token(string name, string state)
    {
        var id = await MarketingUserAsync($"revoked-{name}");
        using var session = server.Session();
        using var client = server.Client();
        await session.SignInAsync($"revoked-{name}@example.com");
        var token = DashboardTests.Token(DashboardServer.JwtSecret, id, TimeSpan.FromMinutes(5));
        var pageBefore = await session.GetPageAsync("/uploads");
        var uploadBefore = await session.SendAsync(Upload($"{name}-before.csv"));
        var bearerBefore = await client.SendAsync(Upload($"{name}-bearer-before.csv", token));

        await SetAsync(id, state);
        var pageAfter = await session.GetPageAsync("/uploads");
        var signedOut = session.LastSetCookies;
        var uploadAfter = await session.SendAsync(Upload($"{name}-after.csv"));
        var bearerAfter = await client.SendAsync(Upload($"{name}-bearer-after.csv", token));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Accepted, HttpStatusCode.Accepted), (pageBefore.StatusCode, uploadBefore.StatusCode, bearerBefore.StatusCode));
        Assert.Equal(HttpStatusCode.Redirect, pageAfter.StatusCode);
        Assert.Equal("/signin", pageAfter.Headers.Location!.AbsolutePath);
        Assert.Contains(signedOut, c => c.StartsWith("worker.auth=;", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, uploadAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bearerAfter.StatusCode);
        Assert.Equal(2, await BatchesOfAsync(id));
        await server.Process.WaitForOutputAsync($"Session of user {id} refused", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_lifted_ban_restores_bearer_access()
    {
        var id = await MarketingUserAsync("ban-lifted");
        using var client = server.Client();
        var token = DashboardTests.Token(DashboardServer.JwtSecret, id, TimeSpan.FromMinutes(5));

        await SetAsync(id, "banned_until = now() + interval '1 hour'");
        var banned = await client.SendAsync(Upload("lifted-banned.csv", token));
        await SetAsync(id, "banned_until = now() - interval '1 second'");
        var lifted = await client.SendAsync(Upload("lifted-after.csv", token));

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Accepted), (banned.StatusCode, lifted.StatusCode));
    }

    [Fact]
    public async Task A_token_for_a_user_who_does_not_exist_is_refused()
    {
        using var client = server.Client();

        var response = await client.SendAsync(Upload("ghost.csv", DashboardTests.Token(DashboardServer.JwtSecret, Guid.NewGuid(), TimeSpan.FromMinutes(5))));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
