using Npgsql;

namespace Worker.Tests;

/// <summary>A database of its own for one test class, dropped when the class is done.</summary>
public abstract class DatabaseFixture(DatabaseContent content) : IAsyncLifetime
{
    private TestDatabaseServer? _server;

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public TestDatabaseServer Server => _server ?? throw new InvalidOperationException("Fixture not initialised.");

    public async Task InitializeAsync()
    {
        _server = await TestDatabaseServer.InstanceAsync();
        ConnectionString = await _server.CreateDatabaseAsync(content);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await Server.DropDatabaseAsync(ConnectionString);
    }
}

/// <summary>Migrated, not seeded: tests insert exactly the rows they reason about.</summary>
public sealed class MigratedDatabase() : DatabaseFixture(DatabaseContent.Migrated);

/// <summary>Migrated and seeded with the development data set.</summary>
public sealed class SeededDatabase() : DatabaseFixture(DatabaseContent.Seeded);
