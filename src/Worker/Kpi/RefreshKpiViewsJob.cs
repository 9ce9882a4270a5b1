using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Worker.Jobs;

namespace Worker.Kpi;

public sealed record RefreshKpiViewsParameters
{
    /// <summary>How long to wait for another worker's refresh to finish before giving up.</summary>
    [Range(1, 3600)]
    public int LockWaitSeconds { get; init; } = 600;

    /// <summary>A catalogue job to queue after a refresh (normally kpi-snapshot), or null.</summary>
    public string? ThenRun { get; init; }
}

/// <summary>One view's refresh: how long it took and the as-of time of its data.</summary>
public sealed record ViewRefresh(string View, string Mode, double Milliseconds, DateTimeOffset AsOf, long Rows);

/// <summary>
/// Refreshes every materialized view of schema kpi, each after the views it reads, CONCURRENTLY (readers
/// are never blocked; a view not yet populated gets a plain first refresh), under a session advisory
/// lock held on one dedicated connection for the whole run, so two workers never refresh at once: the
/// second waits, then refreshes again (its trigger may have come after the first one read the tables).
/// Records each view's duration and as-of time in kpi.view_refreshes; writes Kpi:TimeZone to
/// kpi.settings first, so days are cut in the business time zone.
/// </summary>
public sealed class RefreshKpiViewsJob(
    NpgsqlDataSource dataSource, IOptions<KpiOptions> options, JobCatalogue catalogue, IBackgroundJobClientV2 client, ILogger<RefreshKpiViewsJob> logger)
{
    public const string TypeName = "refresh-kpi-views";

    /// <summary>The catalogue id ingestion's refresh requests schedule (jobs/refresh-kpi-views.json).</summary>
    public const string JobId = "refresh-kpi-views";

    /// <summary>pg_advisory_lock key: hashtext('worker:refresh-kpi-views').</summary>
    public const string LockName = "worker:refresh-kpi-views";

    public async Task<JobSummary> RunAsync(RefreshKpiViewsParameters parameters, CancellationToken cancellationToken)
    {
        var refreshed = await RefreshAsync(parameters.LockWaitSeconds, cancellationToken);
        if (parameters.ThenRun is { } next && catalogue.Contains(next))
        {
            JobRunner.Enqueue(client, catalogue.Get(next), JobTriggers.AfterJob);
        }

        return new JobSummary(0, refreshed.Count, new Dictionary<string, object?>
        {
            ["views"] = refreshed.Select(r => new { r.View, r.Mode, r.Milliseconds, r.Rows }).ToList(),
            ["totalMilliseconds"] = Math.Round(refreshed.Sum(r => r.Milliseconds), 1),
            ["thenRun"] = parameters.ThenRun,
        });
    }

    public async Task<IReadOnlyList<ViewRefresh>> RefreshAsync(int lockWaitSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Daily views are small: JIT compilation of their queries costs seconds and saves nothing.
        await connection.ExecuteAsync("select set_config('statement_timeout', '0', false), set_config('jit', 'off', false)");
        if (!await connection.ExecuteScalarAsync<bool>("select pg_try_advisory_lock(hashtext(@LockName))", new { LockName }))
        {
            KpiLog.WaitingForLock(logger);
            await connection.ExecuteAsync("select set_config('lock_timeout', @wait, false)", new { wait = $"{lockWaitSeconds}s" });
            try
            {
                await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_lock(hashtext(@LockName))", new { LockName }, cancellationToken: cancellationToken));
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new InvalidOperationException($"Another worker has been refreshing the KPI views for more than {lockWaitSeconds} s.", ex);
            }
            finally
            {
                await connection.ExecuteAsync("select set_config('lock_timeout', '0', false)");
            }
        }

        try
        {
            // A request arriving from now on needs a refresh after this one: clear the pending marker first.
            await connection.ExecuteAsync("update kpi.refresh_requests set pending_since = null, scheduled_job_id = null where pending_since is not null");
            await connection.ExecuteAsync("update kpi.settings set time_zone = @zone, updated_at = now() where time_zone is distinct from @zone",
                new { zone = options.Value.TimeZone });

            var views = (await connection.QueryAsync<(string Name, bool Populated)>("""
                select o.view_name, m.ispopulated from kpi.views_in_refresh_order() o
                join pg_catalog.pg_matviews m on m.schemaname = 'kpi' and m.matviewname = o.view_name
                order by o.depth, o.view_name
                """)).ToList();
            var refreshed = new List<ViewRefresh>();
            var failures = new List<string>();
            foreach (var (name, populated) in views)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var quoted = "kpi." + new NpgsqlCommandBuilder().QuoteIdentifier(name);
                var mode = populated ? "concurrently" : "plain";
                try
                {
                    var asOf = await connection.ExecuteScalarAsync<DateTime>("select clock_timestamp()");
                    var stopwatch = Stopwatch.StartNew();
                    await connection.ExecuteAsync(new CommandDefinition(
                        $"refresh materialized view {(populated ? "concurrently " : "")}{quoted}", commandTimeout: 0, cancellationToken: cancellationToken));
                    var milliseconds = Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1);
                    var rows = await connection.ExecuteScalarAsync<long>($"select count(*) from {quoted}");
                    await connection.ExecuteAsync("""
                        insert into kpi.view_refreshes (view_name, refreshed_at, as_of, duration_ms, mode, row_count)
                        values (@name, now(), @asOf, @milliseconds, @mode, @rows)
                        on conflict (view_name) do update set refreshed_at = excluded.refreshed_at, as_of = excluded.as_of,
                          duration_ms = excluded.duration_ms, mode = excluded.mode, row_count = excluded.row_count
                        """, new { name, asOf, milliseconds, mode, rows });
                    refreshed.Add(new ViewRefresh(name, mode, milliseconds, new DateTimeOffset(DateTime.SpecifyKind(asOf, DateTimeKind.Utc)), rows));
                    KpiLog.ViewRefreshed(logger, name, mode, milliseconds);
                }
                catch (PostgresException ex)
                {
                    // The others still refresh; the run fails at the end so the failure is alerted.
                    KpiLog.ViewFailed(logger, name, ex);
                    failures.Add($"kpi.{name}: {ex.MessageText}");
                }
            }

            if (failures.Count > 0)
            {
                throw new InvalidOperationException("KPI views not refreshed: " + string.Join("; ", failures));
            }

            return refreshed;
        }
        finally
        {
            await connection.ExecuteAsync("select pg_advisory_unlock(hashtext(@LockName)); reset jit; reset statement_timeout", new { LockName });
        }
    }
}
