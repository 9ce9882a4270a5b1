using Npgsql;

namespace Worker.Tests;

/// <summary>A database for one test, dropped at the end of it: <c>await using var db = await ScratchDatabase.CreateAsync(...)</c>.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly TestDatabaseServer _server;

    private ScratchDatabase(TestDatabaseServer server, string connectionString)
    {
        _server = server;
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<ScratchDatabase> CreateAsync(DatabaseContent content)
    {
        var server = await TestDatabaseServer.InstanceAsync();
        return new ScratchDatabase(server, await server.CreateDatabaseAsync(content));
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await _server.DropDatabaseAsync(ConnectionString);
    }
}
