using Worker.Tests.Hosting;

namespace Worker.Tests.Web;

/// <summary>One worker process for a test class: seeded database, real HTTP on a loopback port, production settings.</summary>
public class DashboardServer : IAsyncLifetime
{
    public const string JwtSecret = "test-jwt-secret-that-is-long-enough-for-hs256-0123456789";
    private readonly LoopbackCertificate _certificate = new();
    private ScratchDatabase? _database;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private WorkerProcess? _process;

    public DashboardServer()
        : this(new Dictionary<string, string>())
    {
    }

    /// <summary>A server with more settings (environment variables) than the defaults below, or other values.</summary>
    protected DashboardServer(IReadOnlyDictionary<string, string> settings) => _settings = settings;

    public string Url { get; private set; } = "";

    public ScratchDatabase Database => _database!;

    public WorkerProcess Process => _process!;

    public async Task InitializeAsync()
    {
        _database = await ScratchDatabase.CreateAsync(DatabaseContent.Seeded);
        Url = $"https://127.0.0.1:{WorkerProcessTests.FreePort()}";
        var environment = new Dictionary<string, string>
        {
            ["Kestrel__Certificates__Default__Path"] = _certificate.Path,
            ["Kestrel__Certificates__Default__Password"] = _certificate.Password,
            ["Auth__JwtSecret"] = JwtSecret,
            ["Hangfire__QueuePollIntervalSeconds"] = "0.2",
            ["Imports__MaxFileMegabytes"] = "1",
        };
        foreach (var (key, value) in _settings.Concat(ExtraSettings))
        {
            environment[key] = value;
        }

        _process = WorkerProcess.Start(_database.ConnectionString, environment, "--urls", Url);
        await _process.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
    }

    /// <summary>More settings for the worker, for a test class that needs them.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string>();

    public WebSession Session() => new(new Uri(Url), _certificate.TrustingHandler());

    public HttpClient Client() => new(_certificate.TrustingHandler()) { BaseAddress = new Uri(Url) };

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            _process.SendTerminate();
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await _process.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        _certificate.Dispose();
    }
}
