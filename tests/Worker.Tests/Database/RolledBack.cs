using Dapper;
using Npgsql;

namespace Worker.Tests.Database;

/// <summary>
/// A connection inside a transaction that is never committed: a test inserts exactly the rows it
/// reasons about and leaves nothing behind for the next one.
/// </summary>
public sealed class RolledBack : IAsyncDisposable
{
    private RolledBack(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public static async Task<RolledBack> BeginAsync(NpgsqlDataSource dataSource)
    {
        var connection = await dataSource.OpenConnectionAsync();
        return new RolledBack(connection, await connection.BeginTransactionAsync());
    }

    public Task<int> ExecuteAsync(string sql, object? parameters = null) => Connection.ExecuteAsync(sql, parameters, Transaction);

    public Task<T?> ScalarAsync<T>(string sql, object? parameters = null) => Connection.ExecuteScalarAsync<T>(sql, parameters, Transaction);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null) => Connection.QueryAsync<T>(sql, parameters, Transaction);

    /// <summary>Runs a statement that must fail, inside a savepoint so the transaction stays usable.</summary>
    public async Task<PostgresException> FailsAsync(string sql, object? parameters = null)
    {
        await Transaction.SaveAsync("expect_failure");
        try
        {
            await ExecuteAsync(sql, parameters);
        }
        catch (PostgresException ex)
        {
            await Transaction.RollbackAsync("expect_failure");
            return ex;
        }

        throw new Xunit.Sdk.XunitException($"Expected the statement to fail, but it succeeded: {sql}");
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.RollbackAsync();
        await Connection.DisposeAsync();
    }
}
