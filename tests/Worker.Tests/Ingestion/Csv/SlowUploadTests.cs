using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Worker.Tests.Security;
using Worker.Tests.Web;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>A worker with small upload limits: 2 uploads per user, 4 in all, bodies slower than 1 KiB/s cut after 2 s.</summary>
public sealed class SlowUploadServer() : DashboardServer(new Dictionary<string, string>
{
    ["Imports__MaxConcurrentUploads"] = "4",
    ["Imports__MaxConcurrentUploadsPerUser"] = "2",
    ["Imports__MinUploadBytesPerSecond"] = "1024",
    ["Imports__UploadGracePeriodSeconds"] = "2",
});

/// <summary>The slow-upload flood: trickling uploads are bounded, hold no database connection, and do not stop other requests.</summary>
public sealed class SlowUploadTests(SlowUploadServer server) : IClassFixture<SlowUploadServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A CSV body that arrives a little at a time, as over a slow link, at a rate the test changes.</summary>
    private sealed class TrickleContent : HttpContent
    {
        private const int Length = 900_000;

        public TrickleContent() => Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        /// <summary>Bytes sent every 100 ms.</summary>
        public int BytesPerTick { get; set; } = 256;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var sent = 0;
            using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (sent < Length && await ticks.WaitForNextTickAsync())
            {
                var chunk = Encoding.ASCII.GetBytes(new string('x', Math.Min(BytesPerTick, Length - sent)));
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
                sent += chunk.Length;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Length;
            return true;
        }
    }

    private HttpClient Client(Guid userId)
    {
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DashboardTests.Token(DashboardServer.JwtSecret, userId, TimeSpan.FromMinutes(10)));
        return client;
    }

    private static HttpRequestMessage Upload(string fileName, HttpContent? content = null) =>
        new(HttpMethod.Post, $"/api/imports/digital_channels?fileName={fileName}")
        {
            Content = content ?? new StringContent("Date,Channel,Sessions\n2033-01-01,Flood,1\n", Encoding.UTF8, "text/csv"),
        };

    private async Task<Guid> ThirdUploaderAsync()
    {
        var id = Guid.NewGuid();
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            insert into auth.users (id, email, encrypted_password, email_confirmed_at) values (@id, @email, '', now());
            update profiles set role_id = md5('role:marketing')::uuid where id = @id;
            """, new { id, email = $"flood-{id:N}@example.com" });
        return id;
    }

    /// <summary>The worker's connections: all of them, and those left in a transaction by storing an upload.</summary>
    private async Task<(List<string> UploadTransactions, long All)> WorkerConnectionsAsync()
    {
        await using var connection = await server.Database.DataSource.OpenConnectionAsync();
        var uploads = (await connection.QueryAsync<string>("""
            select state || ': ' || left(query, 100) from pg_stat_activity
            where datname = current_database() and application_name = 'etl-kpi-worker' and state like 'idle in transaction%'
              and (query like '%import_batches%' or query like '%import_files%')
            """)).ToList();
        var all = await connection.ExecuteScalarAsync<long>(
            "select count(*) from pg_stat_activity where datname = current_database() and application_name = 'etl-kpi-worker'");
        return (uploads, all);
    }

    [Fact]
    public async Task Trickling_uploads_are_bounded_hold_no_connection_leave_other_requests_served_and_are_cut_off_when_too_slow()
    {
        var third = await ThirdUploaderAsync();
        using var a = Client(Actor.Marketing.UserId!.Value);
        using var b = Client(Actor.Admin.UserId!.Value);
        using var c = Client(third);
        var trickles = new List<(TrickleContent Content, Task<HttpResponseMessage> Sent)>();
        async Task StartTrickleAsync(HttpClient client, string fileName)
        {
            var content = new TrickleContent();
            var receiving = server.Process.WaitForOutputAsync($"Receiving upload {fileName} from", Timeout);
            trickles.Add((content, client.SendAsync(Upload(fileName, content))));
            await receiving;
        }

        await StartTrickleAsync(a, "trickle-a1.csv");
        await StartTrickleAsync(a, "trickle-a2.csv");
        var thirdOfA = await a.SendAsync(Upload("over-per-user.csv"));
        await StartTrickleAsync(b, "trickle-b1.csv");
        await StartTrickleAsync(b, "trickle-b2.csv");
        var overall = await c.SendAsync(Upload("over-overall.csv"));
        var page = await c.GetAsync("/uploads");
        var ready = await c.GetAsync("/health/ready");
        var connections = await WorkerConnectionsAsync();

        // Now the trickles slow to 10 bytes a second: the minimum data rate cuts them off.
        foreach (var (content, _) in trickles)
        {
            content.BytesPerTick = 1;
        }

        var cutOff = await Task.WhenAll(trickles.Select(t => t.Sent.ContinueWith(s => s.IsCompletedSuccessfully ? s.Result.StatusCode : (HttpStatusCode?)null, TaskScheduler.Default)))
            .WaitAsync(TimeSpan.FromSeconds(60));
        var afterwards = await c.SendAsync(Upload("after-the-flood.csv"));

        Assert.Equal(HttpStatusCode.TooManyRequests, thirdOfA.StatusCode);
        Assert.Equal("application/problem+json", thirdOfA.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Too many uploads at once", await thirdOfA.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, overall.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Empty(connections.UploadTransactions);
        Assert.InRange(connections.All, 1, 20 + 5 + 5);
        Assert.All(cutOff, status => Assert.True(status is null or HttpStatusCode.RequestTimeout, $"a trickle ended {status}"));
        Assert.Equal(HttpStatusCode.Accepted, afterwards.StatusCode);
        await using var db = await server.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("select count(*) from worker.import_batches where file_name like 'trickle-%' or file_name like 'over-%'"));
    }
}
