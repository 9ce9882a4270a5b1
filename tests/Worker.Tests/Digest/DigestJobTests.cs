using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using netDumbster.smtp;
using Worker.Digest;
using Worker.Kpi;
using Worker.Tests.Alerts;
using Worker.Tests.Jobs;
using Worker.Tests.Security;

namespace Worker.Tests.Digest;

/// <summary>
/// The kpi-digest job end to end: seeded users and roles in a real database, a real SMTP conversation
/// with a loopback server, the received MIME parsed, the delivery log read back.
/// </summary>
[Collection(HangfireCollection.Name)]
public sealed class DigestJobTests(SeededDatabase db) : IClassFixture<SeededDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Monday 30 November 2026, 07:00 in London: the digest covers 23–29 November.
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 7, 0, 0, TimeSpan.Zero);

    private readonly SimpleSmtpServer _smtp = SimpleSmtpServer.Start(Hosting.WorkerProcessTests.FreePort());
    private readonly SemaphoreSlim _mails = new(0);
    private readonly HashSet<string> _seen = [];

    public async Task InitializeAsync()
    {
        _smtp.MessageReceived += (_, _) => _mails.Release();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("truncate worker.digest_deliveries, worker.digest_recipients, worker.job_runs");
    }

    public Task DisposeAsync()
    {
        _smtp.Dispose();
        _mails.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Each_recipient_gets_one_message_with_exactly_the_KPIs_their_role_may_read_and_a_second_run_sends_nothing()
    {
        await Subscribe("(user_id, time_zone) values (@id, 'Europe/London')", new { id = Actor.Marketing.UserId });
        await Subscribe("(email, display_name, read_as_role, time_zone) values ('cfo@outside.example', 'Outside CFO', 'finance', 'America/New_York')");
        await using var host = await HostAsync();

        var summary = await host.RunDigestAsync();
        var messages = await ReceiveAsync(3);

        Assert.Equal(3L, summary.RowsWritten);
        var byAddress = messages.ToDictionary(m => m.To.Mailboxes.Single().Address);
        Assert.Equal(["cfo@outside.example", "director@example.com", "marketing@example.com"], byAddress.Keys.Order(StringComparer.Ordinal));
        Assert.All(messages, m => Assert.Single(m.To));
        Assert.All(messages, m => Assert.Empty(m.Cc));
        Assert.All(messages, m => Assert.StartsWith("KPI digest · Week 48, 23–29 Nov 2026 · ", m.Subject, StringComparison.Ordinal));

        var london = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        DigestMessageAssert.HoldsExactly(byAddress["director@example.com"], SampleCards.All, london);
        DigestMessageAssert.HoldsExactly(byAddress["marketing@example.com"], [.. SampleCards.All.Where(c => c.Domain == "marketing")], london);
        DigestMessageAssert.HoldsExactly(byAddress["cfo@outside.example"], [.. SampleCards.All.Where(c => c.Domain == "finance")], newYork);
        Assert.Contains("Prepared Mon 30 Nov 2026 02:00 America/New_York", byAddress["cfo@outside.example"].HtmlBody, StringComparison.Ordinal);

        // Read as each recipient: the director and marketing as themselves, the outside address as its role; never as the worker.
        var scorecard = (PermissionScorecard)host.Services.GetRequiredService<IKpiScorecard>();
        Assert.Equal(new[] { "role:finance", "user:" + Actor.Director.UserId, "user:" + Actor.Marketing.UserId }.Order(StringComparer.Ordinal), scorecard.Reads.Order(StringComparer.Ordinal));

        var log = await Deliveries();
        Assert.All(log, d => Assert.Equal(("sent", 1, "2026-11-23"), (d.Status, d.Attempts, d.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        Assert.Equal(new Dictionary<string, int?> { ["Dana Director"] = 24, ["Morgan Marketing"] = 6, ["Outside CFO"] = 6 }, log.ToDictionary(d => d.RecipientName, d => d.Kpis));

        var again = await host.RunDigestAsync();
        Assert.Equal(0L, again.RowsWritten);
        Assert.Equal(3, again.Details["alreadyDone"]);
        Assert.Equal(3, _smtp.ReceivedEmailCount);
    }

    [Fact]
    public async Task A_failing_recipient_is_retried_alone_and_nobody_else_is_sent_anything_twice()
    {
        await Subscribe("(email, display_name, read_as_role) values ('typo@@outside.example', 'Typo', 'marketing')");
        await Subscribe("(email, display_name, read_as_role) values ('ops-lead@outside.example', 'Ops lead', 'ops')");
        await using var host = await HostAsync();

        var failure = await Assert.ThrowsAsync<DigestDeliveryException>(host.RunDigestAsync);
        await ReceiveAsync(2);

        Assert.StartsWith("1 digest deliveries for Week 48, 23–29 Nov 2026 failed (2 sent in this run", failure.Message, StringComparison.Ordinal);
        var failed = Assert.Single(await Deliveries(), d => d.Status == "failed");
        Assert.Equal(("Typo", 1), (failed.RecipientName, failed.Attempts));
        Assert.Contains("not a valid mail address", failed.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("typo@@", failed.Reason, StringComparison.Ordinal);
        var sentBefore = (await Deliveries()).Where(d => d.Status == "sent").ToDictionary(d => d.Recipient, d => d.SentAt);

        // Still wrong on the next attempt: only it is tried, and counted.
        await Assert.ThrowsAsync<DigestDeliveryException>(host.RunDigestAsync);
        Assert.Equal(2, (await Deliveries()).Single(d => d.Status == "failed").Attempts);

        // An admin corrects the address; the retry (the catalogue's next attempt) delivers to it alone.
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update worker.digest_recipients set email = 'typo@outside.example' where display_name = 'Typo'");
        }

        var summary = await host.RunDigestAsync();
        var retried = Assert.Single(await ReceiveAsync(1));

        Assert.Equal(1L, summary.RowsWritten);
        Assert.Equal("typo@outside.example", retried.To.Mailboxes.Single().Address);
        Assert.Equal(3, _smtp.ReceivedEmailCount);
        var log = await Deliveries();
        Assert.All(log, d => Assert.Equal("sent", d.Status));
        Assert.Equal(3, log.Single(d => d.RecipientName == "Typo").Attempts);
        Assert.All(log.Where(d => sentBefore.ContainsKey(d.Recipient)), d => Assert.Equal((1, sentBefore[d.Recipient]), (d.Attempts, d.SentAt)));
        Assert.Equal(["failed", "failed", "succeeded"], await RunStatuses());
    }

    [Fact]
    public async Task A_paused_recipient_and_a_reader_of_nothing_get_nothing()
    {
        await Subscribe("(user_id, paused) values (@id, true)", new { id = Actor.Director.UserId });
        await Subscribe("(user_id) values (@id)", new { id = Actor.Sales2.UserId }); // a sales user an admin subscribed
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("insert into public.roles (name, description) values ('digest_nobody', 'reads nothing') on conflict do nothing");
        }

        await Subscribe("(email, read_as_role) values ('nobody@outside.example', 'digest_nobody')");
        await using var host = await HostAsync();

        var summary = await host.RunDigestAsync();
        var sales = Assert.Single(await ReceiveAsync(1));

        Assert.Equal("sales2@example.com", sales.To.Mailboxes.Single().Address);
        Assert.Equal(1, summary.Details["paused"]);
        Assert.Equal(1, summary.Details["skipped"]);
        Assert.Equal("no KPI this recipient may read", (await Deliveries()).Single(d => d.Status == "skipped").Reason);
    }

    [Fact]
    public async Task Without_an_SMTP_server_the_digest_says_so_sends_its_webhooks_and_fails_nothing()
    {
        using var webhook = new LoopbackWebhook();
        await using var host = await HostAsync(smtp: false, new Dictionary<string, string?>
        {
            ["Digest:Webhooks:0:Name"] = "marketing-slack",
            ["Digest:Webhooks:0:Url"] = webhook.Url,
            ["Digest:Webhooks:0:ReadAsRole"] = "marketing",
        });

        var summary = await host.RunDigestAsync();
        await webhook.WaitForMessageAsync(Timeout);

        Assert.Equal("not sent: no SMTP server configured (Smtp:Host is empty)", summary.Details["email"]);
        Assert.Equal(0, _smtp.ReceivedEmailCount);
        var body = Assert.Single(webhook.Received);
        Assert.StartsWith("*KPI digest · Week 48, 23–29 Nov 2026 · ", body.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("MessageCard", body.GetProperty("@type").GetString());
        Assert.Equal(["Marketing"], body.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("activityTitle").GetString()));
        Assert.Equal("header", body.GetProperty("blocks")[0].GetProperty("type").GetString());
        var kpis = body.GetProperty("kpis").EnumerateArray().ToList();
        Assert.Equal(SampleCards.All.Count(c => c.Domain == "marketing"), kpis.Count);
        Assert.All(kpis, k => Assert.Equal("marketing", k.GetProperty("domain").GetString()));
        Assert.Contains("Cost per lead", body.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(("webhook:marketing-slack", "sent"), (await Deliveries()).Select(d => (d.Recipient, d.Status)).Single());

        await host.RunDigestAsync();
        Assert.Single(webhook.Received);
    }

    private async Task<DigestHost> HostAsync(bool smtp = true, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Digest:DefaultTimeZone"] = "Europe/London",
            ["Digest:PublicUrl"] = "https://worker.example.com",
        };
        if (smtp)
        {
            settings["Smtp:Host"] = "127.0.0.1";
            settings["Smtp:Port"] = _smtp.Configuration.Port.ToString(CultureInfo.InvariantCulture);
            settings["Smtp:Security"] = "None";
            settings["Smtp:From"] = "kpi@example.com";
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return await DigestHost.CreateAsync(db.ConnectionString, Monday, settings,
            services => services.AddSingleton<IKpiScorecard>(new PermissionScorecard(db.DataSource, SampleCards.All)));
    }

    private async Task<List<MimeMessage>> ReceiveAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!await _mails.WaitAsync(Timeout))
            {
                throw new TimeoutException($"Waited {Timeout} for message {i + 1} of {count}.");
            }
        }

        // netDumbster does not keep arrival order: the new ones are those not seen before.
        var messages = new List<MimeMessage>();
        foreach (var raw in _smtp.ReceivedEmail)
        {
            var message = await ReceivedMail.ParseAsync(raw);
            if (_seen.Add(message.MessageId ?? ""))
            {
                messages.Add(message);
            }
        }

        Assert.Equal(count, messages.Count);
        return messages;
    }

    private async Task Subscribe(string columnsAndValues, object? parameters = null)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("insert into worker.digest_recipients " + columnsAndValues, parameters);
    }

    private async Task<IReadOnlyList<DigestDelivery>> Deliveries() =>
        await new DigestDeliveries(db.DataSource).ForPeriodAsync(DigestPeriod.LastComplete("week", Monday, TimeZoneInfo.FindSystemTimeZoneById("Europe/London")));

    private async Task<List<string>> RunStatuses()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>("select status from worker.job_runs where job_id = 'kpi-digest' order by id")];
    }
}
