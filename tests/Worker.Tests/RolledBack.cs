using Dapper;
using Npgsql;
using Worker.Security;
using Worker.Tests.Security;

namespace Worker.Tests;

/// <summary>
/// A connection inside a transaction that is never committed, optionally acting as a user the way
/// PostgREST does: a test inserts or attempts exactly what it reasons about and leaves nothing behind.
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

    public static async Task<RolledBack> BeginAsync(NpgsqlDataSource dataSource, Actor? actingAs = null)
    {
        var connection = await dataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        if (actingAs is not null)
        {
            await Impersonation.ActAsAsync(connection, transaction, actingAs.DatabaseRole, actingAs.UserId);
        }

        return new RolledBack(connection, transaction);
    }

    public Task<int> ExecuteAsync(string sql, object? parameters = null) => Connection.ExecuteAsync(sql, parameters, Transaction);

    public Task<T?> ScalarAsync<T>(string sql, object? parameters = null) => Connection.ExecuteScalarAsync<T>(sql, parameters, Transaction);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null) => Connection.QueryAsync<T>(sql, parameters, Transaction);

    /// <summary>Runs a statement that must fail, inside a savepoint so the transaction stays usable.</summary>
    public async Task<PostgresException> FailsAsync(string sql, object? parameters = null)
    {
        return await TryAsync(sql, parameters, _ => true) is { Error: { } error }
            ? error
            : throw new Xunit.Sdk.XunitException($"Expected the statement to fail, but it succeeded: {sql}");
    }

    /// <summary>Rows affected, or null when refused with 42501 (insufficient privilege).</summary>
    public async Task<int?> RowsOrRefusedAsync(string sql) =>
        await TryAsync(sql, null, ex => ex.SqlState == PostgresErrorCodes.InsufficientPrivilege) is { Error: null } result ? result.Rows : null;

    private async Task<(int Rows, PostgresException? Error)> TryAsync(string sql, object? parameters, Func<PostgresException, bool> expected)
    {
        await Transaction.SaveAsync("attempt");
        try
        {
            return (await Connection.ExecuteAsync(sql, parameters, Transaction), null);
        }
        catch (PostgresException ex) when (expected(ex))
        {
            await Transaction.RollbackAsync("attempt");
            return (0, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.RollbackAsync();
        await Connection.DisposeAsync();
    }
}
