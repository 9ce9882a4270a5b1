using Dapper;
using Npgsql;

namespace Worker.Maintenance;

/// <summary>
/// Runs a retention delete (a statement that deletes at most @BatchSize rows older than @retentionDays)
/// until it deletes fewer than a batch, so a large backlog never holds a long lock.
/// </summary>
internal static class BatchedDelete
{
    public const int BatchSize = 10_000;

    public static async Task<long> RunAsync(NpgsqlConnection connection, string sql, int retentionDays, CancellationToken cancellationToken)
    {
        long deleted = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await connection.ExecuteAsync(new CommandDefinition(sql, new { retentionDays, BatchSize }, cancellationToken: cancellationToken));
            deleted += batch;
            if (batch < BatchSize)
            {
                break;
            }
        }

        return deleted;
    }
}
