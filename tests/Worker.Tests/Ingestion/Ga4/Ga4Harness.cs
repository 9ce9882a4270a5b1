using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Worker.Ingestion.Ga4;
using Worker.Jobs;
using Worker.Kpi;

namespace Worker.Tests.Ingestion.Ga4;

/// <summary>A clock the test sets.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Records the KPI refreshes ingestion asks for.</summary>
public sealed class RecordingKpiTrigger : IKpiRefreshTrigger
{
    public List<string> Reasons { get; } = [];

    public Task RequestRefreshAsync(string reason, CancellationToken cancellationToken)
    {
        lock (Reasons)
        {
            Reasons.Add(reason);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// The GA4 sync wired as the worker wires it (options, HttpClient factory, resilience pipeline,
/// Google.Apis.Auth credentials from a key file), pointed at a loopback fake and a scratch database.
/// </summary>
public sealed class Ga4Harness : IAsyncDisposable
{
    public const string PropertyId = "424242";

    private readonly string _directory;

    private Ga4Harness(FakeGa4Server fake, ScratchDatabase db, TestClock clock, ServiceProvider services, string directory, string keyFile)
    {
        Fake = fake;
        Db = db;
        Clock = clock;
        Services = services;
        _directory = directory;
        KeyFile = keyFile;
    }

    public FakeGa4Server Fake { get; }

    public ScratchDatabase Db { get; }

    public TestClock Clock { get; }

    public ServiceProvider Services { get; }

    public string KeyFile { get; }

    public RecordingKpiTrigger Kpi => (RecordingKpiTrigger)Services.GetRequiredService<IKpiRefreshTrigger>();

    public FakeGa4Property Property => Fake.Properties[PropertyId];

    public IGa4DataClient Client => Services.GetRequiredService<IGa4DataClient>();

    /// <summary>Now is 2026-03-10 12:00 UTC: already 2026-03-11 01:00 in Auckland (UTC+13 in summer), so "yesterday" there is the 10th.</summary>
    public static readonly DateTimeOffset DefaultNow = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    public static async Task<Ga4Harness> StartAsync(Dictionary<string, string?>? settings = null, ScratchDatabase? db = null)
    {
        var clock = new TestClock(DefaultNow);
        var fake = await FakeGa4Server.StartAsync(clock);
        fake.AddProperty(PropertyId, "Pacific/Auckland");
        var directory = Directory.CreateTempSubdirectory("ga4-test-").FullName;
        var keyFile = fake.WriteServiceAccountKey(directory);
        db ??= await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ga4:BaseUrl"] = fake.BaseUrl.ToString(),
            ["Ga4:CredentialsFile"] = keyFile,
            ["Ga4:QuotaBackoff"] = "00:00:00.005",
            ["Ga4:ServerErrorBackoff"] = "00:00:00.001",
            ["Ga4:RequestTimeout"] = "00:00:30",
        }).AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(db.DataSource)
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<IKpiRefreshTrigger, RecordingKpiTrigger>()
            .AddGa4Ingestion()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return new Ga4Harness(fake, db, clock, services, directory, keyFile);
    }

    public static Ga4SyncParameters Parameters(string report, string? startDate = "2026-01-01", int lookbackDays = 3, string propertyId = PropertyId) =>
        new() { PropertyId = propertyId, Report = report, StartDate = startDate is null ? null : DateOnly.Parse(startDate, System.Globalization.CultureInfo.InvariantCulture), LookbackDays = lookbackDays };

    public async Task<JobSummary> RunAsync(Ga4SyncParameters parameters, CancellationToken cancellationToken = default)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Ga4SyncJob>().RunAsync(parameters, cancellationToken);
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public async Task<List<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Fake.DisposeAsync();
        await Db.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
