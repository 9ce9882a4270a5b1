using Dapper;
using Npgsql;

namespace Worker.Digest;

/// <summary>One row of worker.digest_deliveries.</summary>
public sealed record DigestDelivery(DateTime PeriodStart, DateTime PeriodEnd, string Recipient, string Channel, string RecipientName,
    string Status, int Attempts, int? Kpis, string? Reason, DateTime FirstAttemptAt, DateTime LastAttemptAt, DateTime? SentAt);

/// <summary>
/// The delivery log: before sending, a delivery is claimed in one statement (so two workers running
/// the digest at once never both send); a sent delivery is never claimed again, a failed one is while
/// it has attempts left, one left "sending" by a worker that died is after a while.
/// </summary>
public sealed class DigestDeliveries(NpgsqlDataSource dataSource)
{
    private const string ClaimSql = """
        insert into worker.digest_deliveries as d (period_start, period_end, recipient, channel, recipient_name, status, attempts)
        values (@Start, @End, @recipient, @channel, @name, 'sending', 1)
        on conflict (period_start, recipient, channel) do update set
          status = 'sending', attempts = d.attempts + 1, last_attempt_at = now(), recipient_name = excluded.recipient_name
        where (d.status = 'failed' and d.attempts < @maxAttempts)
           or (d.status = 'sending' and d.last_attempt_at < now() - make_interval(mins => @staleMinutes))
        returning attempts
        """;

    /// <summary>The attempt number when this caller may send now; null when sent, skipped, given up, or being sent by someone else.</summary>
    public async Task<int?> ClaimAsync(DigestPeriod period, string recipient, string channel, string name, int maxAttempts, int staleMinutes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int?>(new CommandDefinition(ClaimSql,
            new { Start = Day(period.Start), End = Day(period.End), recipient, channel, name, maxAttempts, staleMinutes }, cancellationToken: cancellationToken));
    }

    public Task SentAsync(DigestPeriod period, string recipient, string channel, int kpis) => FinishAsync(period, recipient, channel, "sent", kpis, null);

    public Task FailedAsync(DigestPeriod period, string recipient, string channel, string reason) => FinishAsync(period, recipient, channel, "failed", null, reason);

    public Task SkippedAsync(DigestPeriod period, string recipient, string channel, string reason) => FinishAsync(period, recipient, channel, "skipped", 0, reason);

    // Not cancellable: once a message left, the log must say so even when the job is being stopped.
    private async Task FinishAsync(DigestPeriod period, string recipient, string channel, string status, int? kpis, string? reason)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            update worker.digest_deliveries
            set status = @status, kpis = coalesce(@kpis, kpis), reason = @reason, last_attempt_at = now(),
                sent_at = case when @status = 'sent' then now() end
            where period_start = @Start and recipient = @recipient and channel = @channel
            """, new { Start = Day(period.Start), recipient, channel, status, kpis, reason });
    }

    public async Task<IReadOnlyList<DigestDelivery>> ForPeriodAsync(DigestPeriod period, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DigestDelivery>(new CommandDefinition(Select + " where period_start = @Start order by recipient, channel",
            new { Start = Day(period.Start) }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The latest deliveries for the ETL page (synchronous, as the dashboard's pages are).</summary>
    public IReadOnlyList<DigestDelivery> Latest(int count)
    {
        using var connection = dataSource.OpenConnection();
        return connection.Query<DigestDelivery>(Select + " order by last_attempt_at desc, recipient limit @count", new { count }).ToList();
    }

    /// <summary>A recipient as the ETL page shows it: a name, or an outside address with its mailbox masked.</summary>
    public static string Shown(string recipientName)
    {
        var at = recipientName.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? recipientName : recipientName[0] + "…" + recipientName[at..];
    }

    private static DateTime Day(DateOnly date) => date.ToDateTime(TimeOnly.MinValue);

    private const string Select = """
        select period_start::timestamp as PeriodStart, period_end::timestamp as PeriodEnd, recipient, channel, recipient_name as RecipientName, status, attempts, kpis,
               reason, first_attempt_at as FirstAttemptAt, last_attempt_at as LastAttemptAt, sent_at as SentAt
        from worker.digest_deliveries
        """;
}
