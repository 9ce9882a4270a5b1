using Dapper;
using Npgsql;
using Worker.Security;

namespace Worker.Tests.Security;

/// <summary>A rolled-back transaction in which every statement runs as <see cref="Actor"/>.</summary>
internal sealed class ActingSession : IAsyncDisposable
{
    private ActingSession(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public static async Task<ActingSession> BeginAsync(NpgsqlDataSource dataSource, Actor actor)
    {
        var connection = await dataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await Impersonation.ActAsAsync(connection, transaction, actor.DatabaseRole, actor.UserId);
        return new ActingSession(connection, transaction);
    }

    public async Task<PostgresException> FailsAsync(string sql, object? parameters = null)
    {
        await Transaction.SaveAsync("attack");
        try
        {
            await Connection.ExecuteAsync(sql, parameters, Transaction);
        }
        catch (PostgresException ex)
        {
            await Transaction.RollbackAsync("attack");
            return ex;
        }

        throw new Xunit.Sdk.XunitException($"Expected this to be refused, but it succeeded: {sql}");
    }

    /// <summary>Rows affected, or null when refused with 42501.</summary>
    public async Task<int?> TryAsync(string sql)
    {
        await Transaction.SaveAsync("try");
        try
        {
            return await Connection.ExecuteAsync(sql, transaction: Transaction);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            await Transaction.RollbackAsync("try");
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.RollbackAsync();
        await Connection.DisposeAsync();
    }
}
