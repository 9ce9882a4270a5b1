using Dapper;
using Microsoft.Extensions.Options;
using Worker.Security;
using Worker.Web;

namespace Worker.Tests.Web;

/// <summary>The account check's cache window, on a clock the test moves.</summary>
public sealed class StaffSessionsTests(SeededDatabase database) : IClassFixture<SeededDatabase>
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private async Task<Guid> OpsUserAsync()
    {
        var id = Guid.NewGuid();
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            insert into auth.users (id, email, encrypted_password, email_confirmed_at) values (@id, @email, '', now());
            update profiles set role_id = md5('role:ops')::uuid where id = @id;
            """, new { id, email = $"{id:N}@example.com" });
        return id;
    }

    [Fact]
    public async Task A_ban_takes_effect_when_the_window_has_passed_and_not_before()
    {
        var clock = new ManualClock();
        var sessions = new StaffSessions(new StaffDirectory(database.DataSource), new UserPermissions(database.DataSource),
            Options.Create(new AuthOptions { AccountCheckSeconds = 30 }), clock);
        var id = await OpsUserAsync();

        var before = await sessions.CheckAsync(id);
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update auth.users set banned_until = now() + interval '1 day' where id = @id", new { id });
        }

        clock.Now += TimeSpan.FromSeconds(29);
        var withinWindow = await sessions.CheckAsync(id);
        clock.Now += TimeSpan.FromSeconds(2);
        var after = await sessions.CheckAsync(id);

        Assert.True(before.Admitted);
        Assert.Contains("act_on_job_runs", before.Permissions);
        Assert.True(withinWindow.Admitted);
        Assert.Equal(SignInOutcome.Banned, after.Standing);
        Assert.Empty(after.Permissions);
    }

    [Fact]
    public async Task An_account_that_is_gone_counts_as_deleted()
    {
        var sessions = new StaffSessions(new StaffDirectory(database.DataSource), new UserPermissions(database.DataSource),
            Options.Create(new AuthOptions()), TimeProvider.System);

        Assert.Equal(SignInOutcome.Deleted, (await sessions.CheckAsync(Guid.NewGuid())).Standing);
    }
}
