using System.Net;
using System.Text.Json;

namespace Worker.Tests.Alerts;

/// <summary>An incoming-webhook receiver on loopback: records each JSON POST and signals its arrival.</summary>
internal sealed class LoopbackWebhook : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<JsonElement> _received = [];
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly CancellationTokenSource _stop = new();

    public LoopbackWebhook(HttpStatusCode answer = HttpStatusCode.OK)
    {
        var port = Worker.Tests.Hosting.WorkerProcessTests.FreePort();
        Url = $"http://127.0.0.1:{port}/hooks/alerts/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(() => ServeAsync(answer));
    }

    public string Url { get; }

    public IReadOnlyList<JsonElement> Received { get { lock (_received) { return [.. _received]; } } }

    /// <summary>Waits for the next message, in arrival order.</summary>
    public async Task WaitForMessageAsync(TimeSpan timeout)
    {
        if (!await _arrivals.WaitAsync(timeout))
        {
            throw new TimeoutException($"No webhook message within {timeout}.");
        }
    }

    private async Task ServeAsync(HttpStatusCode answer)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using (var document = await JsonDocument.ParseAsync(context.Request.InputStream))
            {
                lock (_received)
                {
                    _received.Add(document.RootElement.Clone());
                }
            }

            context.Response.StatusCode = (int)answer;
            context.Response.Close();
            _arrivals.Release();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _arrivals.Dispose();
        _stop.Dispose();
    }
}
