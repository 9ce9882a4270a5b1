using Dapper;
using Npgsql;

namespace Worker.Digest;

/// <summary>
/// One recipient of the digest. <see cref="UserId"/> set: a user, who reads with their own
/// permissions; otherwise an outside address reading as <see cref="ReadAsRole"/>.
/// </summary>
public sealed record DigestRecipient(string Key, Guid? UserId, string? ReadAsRole, string Address, string Name, string? TimeZone, bool Paused)
{
    public override string ToString() => Key; // never the address: it must stay out of logs
}

/// <summary>Who receives the digest, decided when it is sent (a role change applies to the next digest).</summary>
public sealed class DigestRecipients(NpgsqlDataSource dataSource)
{
    private static readonly string ListSql = Worker.Database.SqlScript.FromResource("Digest/DigestRecipients.sql").Text;

    public async Task<IReadOnlyList<DigestRecipient>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DigestRecipient>(new CommandDefinition(ListSql, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The digest settings of one signed-in user (for the preview page), whether or not they receive it.</summary>
    public async Task<(string? TimeZone, bool Paused, bool Receives)> ForUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var all = await ListAsync(cancellationToken);
        if (all.FirstOrDefault(r => r.UserId == userId) is { } recipient)
        {
            return (recipient.TimeZone, recipient.Paused, true);
        }

        return (null, false, false);
    }

    /// <summary>A user pauses or resumes their own digest.</summary>
    public async Task SetPausedAsync(Guid userId, bool paused, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into worker.digest_recipients (user_id, paused, added_by) values (@userId, @paused, 'self')
            on conflict (user_id) where user_id is not null do update set paused = excluded.paused, updated_at = now()
            """, new { userId, paused }, cancellationToken: cancellationToken));
    }
}
