using System.Net;
using Worker.Tests.Hosting;

namespace Worker.Tests.Database;

/// <summary>Several real worker processes sharing the embedded cluster (no connection string configured).</summary>
public sealed class EmbeddedClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300); // a fresh cluster: initdb and every migration, durably

    [Fact]
    public async Task The_cluster_stays_up_while_any_process_uses_it_and_the_last_one_to_leave_stops_it()
    {
        // Straight under the temp folder: when the tests run as root the server runs as 'postgres', which must reach it.
        var data = Path.Combine(Path.GetTempPath(), $"worker-embedded-{Guid.NewGuid():N}");
        var embedded = new Dictionary<string, string> { ["Database__EmbeddedDataDirectory"] = data };
        var (urlA, urlB) = ($"http://127.0.0.1:{WorkerProcessTests.FreePort()}", $"http://127.0.0.1:{WorkerProcessTests.FreePort()}");
        try
        {
            await using var first = WorkerProcess.Start("", embedded, "--urls", urlA); // starts the cluster
            await first.WaitForOutputAsync("Application started", Timeout);
            await using (var migrate = WorkerProcess.Start("", embedded, "migrate")) // joins it, then exits
            {
                Assert.Equal(0, await migrate.WaitForExitAsync(Timeout));
            }

            await using var second = WorkerProcess.Start("", embedded, "--urls", urlB); // joins it
            await second.WaitForOutputAsync("Application started", Timeout);

            first.SendTerminate(); // the process that started the cluster leaves first
            Assert.Equal(0, await first.WaitForExitAsync(Timeout));
            using var http = new HttpClient { BaseAddress = new Uri(urlB) };
            var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));

            Assert.True(ready.StatusCode == HttpStatusCode.OK, await ready.Content.ReadAsStringAsync());
            Assert.Contains("Left the local PostgreSQL cluster", first.StandardError, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(data, "postmaster.pid")));

            second.SendTerminate(); // the last one stops it
            Assert.Equal(0, await second.WaitForExitAsync(Timeout));
            Assert.Contains("Stopped the local PostgreSQL cluster", second.StandardError, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(data, "postmaster.pid")));
        }
        finally
        {
            foreach (var folder in new[] { data, data + ".users" }.Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }

            File.Delete(data + ".lock");
        }
    }
}
