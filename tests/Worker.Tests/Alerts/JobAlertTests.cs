using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using netDumbster.smtp;
using Worker.Alerts;
using Worker.Jobs;
using Worker.Mail;
using Worker.Tests.Jobs;

namespace Worker.Tests.Alerts;

[Collection(HangfireCollection.Name)]
public sealed class JobAlertTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_job_failing_for_good_alerts_once_per_grace_period_by_email_and_webhook_then_announces_recovery()
    {
        using var smtp = SimpleSmtpServer.Start(Hosting.WorkerProcessTests.FreePort());
        var mails = new SemaphoreSlim(0);
        smtp.MessageReceived += (_, _) => mails.Release();
        using var webhook = new LoopbackWebhook();
        var catalogue = Directory.CreateTempSubdirectory("jobs-").FullName;
        File.WriteAllText(Path.Combine(catalogue, "alert-switch.json"),
            """{ "id": "alert-switch", "type": "test-switch", "cron": "0 0 1 1 *", "queue": "b_ingest", "retry": { "attempts": 0 } }""");
        var signal = FinalStateSignal.Install();
        try
        {
            await using var host = await WorkerHost.StartAsync(db.ConnectionString, catalogue, services =>
                services.AddJobType<SwitchJob, SwitchJob.NoParameters>("test-switch", (job, _, ct) => job.RunAsync(ct)),
                new Dictionary<string, string?>
                {
                    ["Alerts:GracePeriodMinutes"] = "60",
                    ["Alerts:DashboardUrl"] = "https://worker.example.com/hangfire",
                    ["Smtp:Host"] = "127.0.0.1",
                    ["Smtp:Port"] = smtp.Configuration.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Smtp:Security"] = "None",
                    ["Smtp:From"] = "worker@example.com",
                    ["Alerts:Email:To:0"] = "ops@example.com",
                    ["Alerts:Webhook:Url"] = webhook.Url,
                });
            var job = host.Catalogue.Get("alert-switch");

            SwitchJob.Fail = true;
            var first = JobRunner.Enqueue(host.Client, job, "manual");
            Assert.Equal("Failed", await signal.WaitAsync(first, Timeout));
            await WaitAsync(mails, "the failure email");
            await webhook.WaitForMessageAsync(Timeout);

            var second = JobRunner.Enqueue(host.Client, job, "manual");
            Assert.Equal("Failed", await signal.WaitAsync(second, Timeout)); // within the grace period: no alert

            SwitchJob.Fail = false;
            var third = JobRunner.Enqueue(host.Client, job, "manual");
            Assert.Equal("Succeeded", await signal.WaitAsync(third, Timeout));
            await WaitAsync(mails, "the recovery email");
            await webhook.WaitForMessageAsync(Timeout);

            Assert.Equal(2, smtp.ReceivedEmailCount);
            // netDumbster does not keep arrival order; the webhook receiver below does.
            Assert.Equal(
                ["[worker] Job alert-switch failed", "[worker] Job alert-switch recovered"],
                smtp.ReceivedEmail.Select(m => m.Headers["Subject"]).Order(StringComparer.Ordinal));
            var failureMail = smtp.ReceivedEmail.Single(m => m.Headers["Subject"]!.EndsWith("failed", StringComparison.Ordinal)).MessageParts[0].BodyData;
            Assert.Contains("Error: switched to fail", failureMail, StringComparison.Ordinal);
            Assert.Contains($"https://worker.example.com/hangfire/jobs/details/{first}", failureMail, StringComparison.Ordinal);
            Assert.Equal(["failed", "recovered"], webhook.Received.Select(m => m.GetProperty("kind").GetString()));
            Assert.All(webhook.Received, m => Assert.Equal("alert-switch", m.GetProperty("job").GetString()));
            Assert.StartsWith("[worker] Job alert-switch failed", webhook.Received[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            signal.Uninstall();
            Directory.Delete(catalogue, recursive: true);
        }
    }

    [Fact]
    public async Task A_channel_that_fails_is_logged_and_the_others_still_get_the_alert()
    {
        using var webhook = new LoopbackWebhook();
        var options = Options.Create(new AlertOptions
        {
            Email = new EmailChannelOptions { To = ["ops@example.com"] },
            Webhook = new WebhookChannelOptions { Url = webhook.Url },
        });
        var smtp = Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = Hosting.WorkerProcessTests.FreePort(), Security = "None" });
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        IAlertChannel[] channels = [new EmailAlertChannel(new SmtpMailer(smtp), options), new WebhookAlertChannel(services.GetRequiredService<IHttpClientFactory>(), options)];

        var sent = await new AlertDispatcher(channels, NullLogger<AlertDispatcher>.Instance)
            .SendAsync(new Alert(AlertKind.Failed, "some-job", "42", "boom", DateTime.UtcNow), CancellationToken.None);

        Assert.Equal(1, sent); // nothing listens on the SMTP port
        Assert.Single(webhook.Received);
    }

    [Fact]
    public async Task With_the_mail_server_and_the_webhook_both_down_the_alert_job_succeeds_and_logs_each_failure_without_the_address()
    {
        var secretPath = "/hooks/T000/B000/secret-token";
        var options = Options.Create(new AlertOptions
        {
            Email = new EmailChannelOptions { To = ["ops@example.com"] },
            Webhook = new WebhookChannelOptions { Url = $"http://127.0.0.1:{Hosting.WorkerProcessTests.FreePort()}{secretPath}" },
        });
        var smtp = Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = Hosting.WorkerProcessTests.FreePort(), Security = "None" });
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        IAlertChannel[] channels = [new EmailAlertChannel(new SmtpMailer(smtp), options), new WebhookAlertChannel(services.GetRequiredService<IHttpClientFactory>(), options)];
        var log = new CapturingLogger<AlertDispatcher>();

        var sent = await new AlertDispatcher(channels, log).SendAsync(new Alert(AlertKind.Failed, "some-job", "42", "boom", DateTime.UtcNow), CancellationToken.None);

        Assert.Equal(0, sent); // and no exception: the alert job itself succeeds
        Assert.Equal(["email", "webhook"], log.Messages.Where(m => m.Contains("could not be sent by", StringComparison.Ordinal))
            .Select(m => m.Contains("by email", StringComparison.Ordinal) ? "email" : "webhook").Order(StringComparer.Ordinal));
        Assert.DoesNotContain(log.Messages, m => m.Contains(secretPath, StringComparison.Ordinal));
    }

    private sealed class CapturingLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }

    private static async Task WaitAsync(SemaphoreSlim arrivals, string what)
    {
        if (!await arrivals.WaitAsync(Timeout))
        {
            throw new TimeoutException($"Waited {Timeout} for {what}.");
        }
    }

    internal sealed class SwitchJob
    {
        public static volatile bool Fail;

        public Task<JobSummary> RunAsync(CancellationToken cancellationToken) => Fail
            ? throw new InvalidOperationException("switched to fail")
            : Task.FromResult(new JobSummary(0, 0, new Dictionary<string, object?>()));

        internal sealed record NoParameters;
    }
}
