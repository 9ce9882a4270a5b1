using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using netDumbster.smtp;
using Worker.Kpi;
using Worker.Tests.Jobs;
using Worker.Tests.Kpi;

namespace Worker.Tests.Digest;

/// <summary>
/// The digest over the real KPI layer: the seed's KPI definitions and targets, the KPI tests' hand-worked
/// data set, the catalogue's kpi-snapshot run by the digest itself, each slice read through the real
/// scorecard (the database's own permission rules), delivered over SMTP on loopback.
/// </summary>
[Collection(HangfireCollection.Name)]
public sealed class DigestRealSnapshotTests
{
    private static readonly Guid Director = new("00000000-0000-0000-0000-00000000dd01");
    private static readonly Guid Marketer = new("00000000-0000-0000-0000-00000000dd02");

    [Fact]
    public async Task On_real_snapshots_a_director_gets_every_domain_a_marketing_subscriber_only_marketing_and_a_second_run_sends_nothing()
    {
        await using var db = await KpiData.CreateAsync();
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into auth.users (id, email, raw_user_meta_data) values
                  (@Director, 'dana@test.example', '{"full_name": "Dana Director"}'), (@Marketer, 'morgan@test.example', '{"full_name": "Morgan Marketing"}');
                update profiles set role_id = md5('role:director')::uuid where id = @Director;
                update profiles set role_id = md5('role:marketing')::uuid where id = @Marketer;
                insert into worker.digest_recipients (user_id, time_zone) values (@Marketer, 'Europe/Berlin');
                insert into worker.digest_recipients (email, display_name, read_as_role, time_zone) values ('fd@outside.example', 'Finance desk', 'finance', 'Asia/Tokyo');
                """, new { Director, Marketer });
        }

        using var smtp = SimpleSmtpServer.Start(Hosting.WorkerProcessTests.FreePort());
        using var arrivals = new SemaphoreSlim(0);
        smtp.MessageReceived += (_, _) => arrivals.Release();
        await using var host = await DigestHost.CreateAsync(db.ConnectionString, KpiData.March11, new Dictionary<string, string?>
        {
            ["Kpi:TimeZone"] = "UTC",
            ["Kpi:TrendPeriods"] = "3",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Configuration.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "kpi@example.com",
        });

        var summary = await host.RunDigestAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await arrivals.WaitAsync(TimeSpan.FromSeconds(30)), $"message {i + 1} of 3 did not arrive");
        }

        var messages = new Dictionary<string, MimeMessage>();
        foreach (var raw in smtp.ReceivedEmail)
        {
            var message = await ReceivedMail.ParseAsync(raw);
            messages.Add(message.To.Mailboxes.Single().Address, message);
        }

        // The slices as the KPI layer gives them to each reader, read after the digest's own snapshot.
        var scorecard = host.Services.GetRequiredService<IKpiScorecard>();
        var director = await scorecard.ReadForUserAsync(Director, CancellationToken.None);
        var marketing = await scorecard.ReadForUserAsync(Marketer, CancellationToken.None);
        var finance = await scorecard.ReadForRoleAsync("finance", CancellationToken.None);
        Assert.Equal(["sales", "marketing", "operations", "finance"], director.Select(c => c.Domain).Distinct());
        Assert.Equal(["marketing"], marketing.Select(c => c.Domain).Distinct());
        Assert.Equal(["finance"], finance.Select(c => c.Domain).Distinct());

        Assert.Equal(3L, summary.RowsWritten);
        Assert.All(messages.Values, m => Assert.StartsWith("KPI digest · Week 10, 2–8 Mar 2026 · ", m.Subject, StringComparison.Ordinal));
        DigestMessageAssert.HoldsExactly(messages["dana@test.example"], director, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"), director);
        DigestMessageAssert.HoldsExactly(messages["morgan@test.example"], marketing, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), director);
        DigestMessageAssert.HoldsExactly(messages["fd@outside.example"], finance, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"), director);
        Assert.Contains("Prepared Wed 11 Mar 2026 21:00 Asia/Tokyo", messages["fd@outside.example"].HtmlBody, StringComparison.Ordinal);

        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            // The digest took its own fresh snapshot (through the catalogue) and finished after it.
            Assert.Equal(["kpi-snapshot:succeeded", "kpi-digest:succeeded"],
                await connection.QueryAsync<string>("select job_id || ':' || status from worker.job_runs order by finished_at"));
        }

        var again = await host.RunDigestAsync();
        Assert.Equal(0L, again.RowsWritten);
        Assert.Equal(3, smtp.ReceivedEmailCount);
    }
}
