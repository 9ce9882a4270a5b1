using System.Text.Json;
using Dapper;
using Npgsql;

namespace Worker.Ingestion.Ga4;

/// <summary>Sync state, sync runs and the transaction of one slice.</summary>
public sealed class Ga4SyncStore(NpgsqlDataSource dataSource)
{
    public sealed record State(DateOnly SyncedThrough, string? TimeZone);

    public sealed record MergeCounts(long Inserted, long Updated, long Deleted, long Revisions, long DaysRevised)
    {
        public long Written => Inserted + Updated + Deleted;
    }

    public sealed record Revision(DateOnly Day, string TableName, string Dimension, string Metric, decimal? OldValue, decimal? NewValue)
    {
        public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Day:yyyy-MM-dd}{(Dimension.Length > 0 ? " " + Dimension : "")} {Metric}: {OldValue?.ToString() ?? "null"} → {NewValue?.ToString() ?? "null"}");
    }

    /// <summary>The first revisions a run recorded, by day.</summary>
    public async Task<IReadOnlyList<Revision>> RevisionsAsync(long runId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Revision>(new CommandDefinition("""
            select day, table_name as TableName, dimension, metric, old_value as OldValue, new_value as NewValue
            from worker.ga4_revisions where sync_run_id = @runId order by day, dimension, metric limit @limit
            """, new { runId, limit }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<State?> GetStateAsync(string propertyId, string report, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(DateOnly SyncedThrough, string? TimeZone)?>(new CommandDefinition(
            "select synced_through, time_zone from worker.ga4_sync_state where property_id = @propertyId and report = @report",
            new { propertyId, report }, cancellationToken: cancellationToken));
        return row is { } r ? new State(r.SyncedThrough, r.TimeZone) : null;
    }

    public async Task<long> StartRunAsync(string propertyId, string report, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "insert into worker.ga4_sync_runs (property_id, report) values (@propertyId, @report) returning id",
            new { propertyId, report }, cancellationToken: cancellationToken));
    }

    /// <summary>Written without the job's cancellation token: a cancelled run still records how it ended.</summary>
    public async Task FinishRunAsync(long runId, string status, Ga4RunTally tally, string? note, string? error)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            update worker.ga4_sync_runs set
              finished_at = now(), status = @status, range_start = @rangeStart, range_end = @rangeEnd, synced_through = @syncedThrough,
              time_zone = @timeZone, requests = @requests, rows_read = @rowsRead, rows_written = @rowsWritten, rows_deleted = @rowsDeleted,
              days_revised = @daysRevised, revisions = @revisions, tokens_consumed = @tokensConsumed,
              tokens_per_day_remaining = @tokensPerDayRemaining, tokens_per_hour_remaining = @tokensPerHourRemaining,
              cost_unavailable = @costUnavailable, flags = @flags::jsonb, note = @note, error = @error
            where id = @runId
            """,
            new
            {
                runId,
                status,
                rangeStart = tally.RangeStart,
                rangeEnd = tally.RangeEnd,
                syncedThrough = tally.SyncedThrough,
                timeZone = tally.TimeZone,
                requests = tally.Requests,
                rowsRead = tally.RowsRead,
                rowsWritten = tally.RowsWritten,
                rowsDeleted = tally.RowsDeleted,
                daysRevised = tally.DaysRevised,
                revisions = tally.Revisions,
                tokensConsumed = tally.TokensConsumed,
                tokensPerDayRemaining = tally.TokensPerDayRemaining,
                tokensPerHourRemaining = tally.TokensPerHourRemaining,
                costUnavailable = tally.CostUnavailable,
                flags = JsonSerializer.Serialize(tally.Flags.ToJson(), JsonSerializerOptions.Web),
                note,
                error,
            });
    }

    /// <summary>
    /// Opens the transaction one slice is written in; nothing of it is visible until <see cref="Slice.CommitAsync"/>.
    /// Slices of one property and report are written one at a time (a transaction-level advisory lock). A
    /// slice whose range holds no rows of the property yet (a backfill) is copied straight into the table;
    /// any other goes through a staging table and the report's merge (revisions, vanished rows, upsert).
    /// </summary>
    public async Task<Slice> BeginSliceAsync(Ga4Report report, string propertyId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var source = "ga4:" + propertyId;
            // One audit row per slice (below), not one per row: see supabase/policies/04_audit_trail.sql.
            await connection.ExecuteAsync(new CommandDefinition("""
                select set_config('worker.audit', 'batch', true), set_config('worker.actor', 'ga4-sync', true),
                       pg_advisory_xact_lock(hashtextextended(@lockKey, 0))
                """, new { lockKey = $"ga4-sync:{propertyId}:{report.Name}" }, transaction, cancellationToken: cancellationToken));
            var backfill = report.BackfillCopySql is not null && !await connection.ExecuteScalarAsync<bool>(new CommandDefinition(report.HoldsRowsSql,
                new { source, from, to }, transaction, cancellationToken: cancellationToken));
            if (!backfill)
            {
                await connection.ExecuteAsync(new CommandDefinition(report.StageTableSql, transaction: transaction, cancellationToken: cancellationToken));
            }

            return new Slice(connection, transaction, report, source, from, to, backfill);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public sealed class Slice(NpgsqlConnection connection, NpgsqlTransaction transaction, Ga4Report report, string source, DateOnly from, DateOnly to, bool backfill)
        : IAsyncDisposable
    {
        // Statements of a large slice may take a while; the job's cancellation token stops them.
        private const int NoTimeout = 0;

        private long _copied;

        /// <summary>True when the slice is copied straight into the table (its range held no rows of the source).</summary>
        public bool IsBackfill => backfill;

        public async Task WritePageAsync(int requestIndex, RunReportRequest request, RunReportResponse page, CancellationToken cancellationToken)
        {
            if (page.Rows.Count == 0)
            {
                return;
            }

            await using var copy = await connection.BeginBinaryImportAsync(backfill ? report.BackfillCopySql! : report.CopySql, cancellationToken);
            copy.Timeout = TimeSpan.Zero;
            report.Write(requestIndex, request, page, copy, backfill ? source : null);
            _copied += (long)await copy.CompleteAsync(cancellationToken);
        }

        /// <summary>True when every staged cost is zero: GA4's answer when the caller may not see cost. The costs become NULL.</summary>
        public async Task<bool> ClearBlockedCostAsync(bool restricted, CancellationToken cancellationToken)
        {
            var (rows, where) = backfill
                ? ("public." + report.Table, $"where source = @source and {report.DateColumn} between @from and @to")
                : ("ga4_stage", "");
            var parameters = new { source, from, to };
            var blocked = restricted || await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                $"select coalesce(bool_and(cost = 0), false) from {rows} {where}", parameters, transaction, NoTimeout, cancellationToken: cancellationToken));
            if (blocked)
            {
                await connection.ExecuteAsync(new CommandDefinition($"update {rows} set cost = null {where}", parameters, transaction, NoTimeout, cancellationToken: cancellationToken));
            }

            return blocked;
        }

        /// <summary>Merges the staged rows, moves the sync state forward to <paramref name="to"/>, writes the audit row and commits.</summary>
        public async Task<MergeCounts> CommitAsync(long runId, string propertyId, string? timeZone, CancellationToken cancellationToken)
        {
            // A backfill slice's rows are all new: nothing to compare, remove or update.
            var counts = backfill
                ? new MergeCounts(_copied, 0, 0, 0, 0)
                : await connection.QuerySingleAsync<MergeCounts>(new CommandDefinition(report.MergeSql,
                    new { runId, propertyId, source, from, to }, transaction, NoTimeout, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into worker.ga4_sync_state as s (property_id, report, synced_through, time_zone)
                values (@propertyId, @report, @to, @timeZone)
                on conflict (property_id, report) do update
                  set synced_through = greatest(s.synced_through, excluded.synced_through),
                      time_zone = coalesce(excluded.time_zone, s.time_zone), updated_at = now()
                """, new { propertyId, report = report.Name, to, timeZone }, transaction, cancellationToken: cancellationToken));
            if (counts.Written > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    insert into public.audit_logs (actor_role, action, table_name, record_id, changes)
                    values ('ga4-sync', 'INSERT', @table, @record, @changes::jsonb)
                    """,
                    new
                    {
                        table = report.Table,
                        record = $"ga4-sync-run:{runId}",
                        changes = JsonSerializer.Serialize(new { source, from, to, counts.Inserted, counts.Updated, counts.Deleted, counts.Revisions }, JsonSerializerOptions.Web),
                    }, transaction, cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            return counts;
        }

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
