using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Worker.Kpi;

namespace Worker.Benchmarks;

/// <summary>
/// The KPI layer at scale: 1,000,000-row base tables (sales leads, tickets, finance transactions,
/// channel rows), refreshing every KPI view CONCURRENTLY against a plain REFRESH in the same run; a
/// reader's latency (a KPI function over a month) idle and during each kind of refresh; and the
/// kpi-snapshot job over 1,000 generated KPI definitions against the baseline of PostgreSQL calling
/// the same KPI functions for the same periods in one statement.
/// </summary>
internal static class KpiBenchmark
{
    private const int Rows = 1_000_000;
    private const int Definitions = 1_000;

    public static async Task RunAsync(BenchmarkDatabase database)
    {
        var load = Stopwatch.StartNew();
        await LoadAsync(database.DataSource);
        Console.WriteLine($"KPI: loaded {Rows:N0} rows into each of sales_leads, ops_tickets, finance_transactions, digital_channels in {load.Elapsed.TotalSeconds:F0} s");

        var options = Options.Create(new KpiOptions { TimeZone = "UTC", SettleDays = 3, TrendPeriods = 8 });
        var job = new RefreshKpiViewsJob(database.DataSource, options, null!, null!, NullLogger<RefreshKpiViewsJob>.Instance);
        await job.RefreshAsync(60, CancellationToken.None); // first fill

        // Refresh: concurrently (the job) against plain REFRESH, each view, same data.
        var concurrent = await job.RefreshAsync(60, CancellationToken.None);
        var plain = new List<(string View, double Ms)>();
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("set jit = off");
            foreach (var view in concurrent.Select(v => v.View))
            {
                var started = Stopwatch.GetTimestamp();
                await connection.ExecuteAsync($"refresh materialized view kpi.{view}", commandTimeout: 0);
                plain.Add((view, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| view | rows | CONCURRENTLY ms | plain ms |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var v in concurrent)
        {
            Console.WriteLine($"| kpi.{v.View} | {v.Rows:N0} | {v.Milliseconds:F0} | {plain.Single(p => p.View == v.View).Ms:F0} |");
        }

        Console.WriteLine($"| all | | {concurrent.Sum(v => v.Milliseconds):F0} | {plain.Sum(p => p.Ms):F0} |");

        // Reader latency: idle, during concurrent refreshes, during plain refreshes.
        var idle = await ReadersAsync(database.DataSource, "idle", null);
        var duringConcurrent = await ReadersAsync(database.DataSource, "during REFRESH CONCURRENTLY", "concurrently ");
        var duringPlain = await ReadersAsync(database.DataSource, "during plain REFRESH", "");
        Console.WriteLine();
        Console.WriteLine("| reader (kpi.sales_won_value over a month, then kpi.ops_open_backlog) | median ms | p95 ms | max ms | reads |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var r in new[] { idle, duringConcurrent, duringPlain })
        {
            Console.WriteLine($"| {r.Name} | {r.Median:F2} | {r.P95:F2} | {r.Max:F0} | {r.Count} |");
        }

        // Snapshot of 1,000 definitions against one statement calling the same functions.
        await GenerateDefinitionsAsync(database.DataSource);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var pairs = await PairsAsync(database.DataSource, today, options.Value.TrendPeriods);
        var baseline = await BaselineAsync(database.DataSource, pairs);
        var snapshot = new KpiSnapshotJob(database.DataSource, options, TimeProvider.System, NullLogger<KpiSnapshotJob>.Instance);
        var first = Stopwatch.StartNew();
        var firstResult = await snapshot.SnapshotAsync(null, CancellationToken.None);
        first.Stop();
        var second = Stopwatch.StartNew();
        var secondResult = await snapshot.SnapshotAsync(null, CancellationToken.None);
        second.Stop();
        var baselineAgain = await BaselineAsync(database.DataSource, pairs);
        Console.WriteLine();
        Console.WriteLine($"| snapshot of {Definitions:N0} definitions ({pairs.Count:N0} KPI × period evaluations) | ms | ratio to baseline |");
        Console.WriteLine("| --- | --- | --- |");
        Console.WriteLine($"| baseline: one statement calling the KPI functions directly | {Math.Min(baseline, baselineAgain):F0} | 1.00x |");
        Console.WriteLine($"| kpi-snapshot, first run ({firstResult.Evaluations:N0} evaluations, {firstResult.Inserted:N0} rows inserted) | {first.Elapsed.TotalMilliseconds:F0} | {first.Elapsed.TotalMilliseconds / Math.Min(baseline, baselineAgain):F2}x |");
        Console.WriteLine($"| kpi-snapshot, next run ({secondResult.Evaluations:N0} evaluations: to date and settle window, {secondResult.Written:N0} rows upserted) | {second.Elapsed.TotalMilliseconds:F0} | {second.Elapsed.TotalMilliseconds / Math.Min(baseline, baselineAgain):F2}x |");
    }

    private static async Task LoadAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        // Bulk load without row triggers (closed_at, transitions, audit): the benchmark is about the KPI layer.
        await connection.ExecuteAsync("""
            set session_replication_role = replica;
            insert into sales_stages (id, code, name) select md5('stage:' || s)::uuid, s, s from unnest(array['open1', 'open2', 'open3', 'won', 'lost']) s;
            insert into sales_leads (company, stage_id, expected_value, status, created_at, closed_at)
            select 'Company ' || i,
              md5('stage:' || case when i % 10 < 6 then 'open' || (1 + i % 3) when i % 10 < 8 then 'won' else 'lost' end)::uuid,
              (1000 + i % 49000), case when i % 10 < 6 then 'open' when i % 10 < 8 then 'won' else 'lost' end,
              now() - make_interval(days => i % 1095, hours => i % 24),
              case when i % 10 >= 6 then now() - make_interval(days => i % 1095, hours => i % 24) + make_interval(days => i % 60) end
            from generate_series(1, @Rows) i;
            update sales_leads set closed_at = now() where closed_at > now();

            insert into ops_sla (id, name, resolution_target_hours, priority_level) select md5('sla:' || p)::uuid, p, h, p
              from (values ('low', 168), ('medium', 72), ('high', 24), ('critical', 4)) v (p, h);
            insert into ops_ticket_statuses (id, code, name, sequence, is_closed) values (md5('status:open')::uuid, 'open', 'Open', 1, false),
              (md5('status:closed')::uuid, 'closed', 'Closed', 2, true);
            insert into ops_tickets (subject, status_id, priority, sla_id, created_at, closed_at)
            select 'Ticket ' || i, case when i % 20 = 0 then md5('status:open')::uuid else md5('status:closed')::uuid end,
              (array['low', 'medium', 'high', 'critical'])[1 + i % 4], md5('sla:' || (array['low', 'medium', 'high', 'critical'])[1 + i % 4])::uuid,
              now() - make_interval(days => i % 1095, mins => i % 1440),
              case when i % 20 <> 0 then now() - make_interval(days => i % 1095, mins => i % 1440) + make_interval(hours => 1 + i % 200) end
            from generate_series(1, @Rows) i;
            update ops_tickets set closed_at = now() where closed_at > now();

            insert into currencies (code, name) values ('USD', 'US Dollar');
            insert into accounts (id, code, name, account_type) values (md5('account:bench')::uuid, '1200', 'AR', 'asset');
            insert into customers (id, name) values (md5('customer:bench')::uuid, 'Customer');
            insert into finance_transactions (id, account_id, customer_id, amount, transaction_date, transaction_type, due_date)
            select md5('invoice:' || i)::uuid, md5('account:bench')::uuid, md5('customer:bench')::uuid, 100 + i % 9900,
              current_date - i % 1095, 'invoice', current_date - i % 1095 + 30
            from generate_series(1, @Rows / 2) i;
            insert into finance_transactions (account_id, customer_id, amount, transaction_date, transaction_type, invoice_id)
            select md5('account:bench')::uuid, md5('customer:bench')::uuid, (100 + i % 9900) / 2, current_date - i % 1095 + 20, 'payment', md5('invoice:' || i)::uuid
            from generate_series(1, @Rows * 3 / 10) i where current_date - i % 1095 + 20 <= current_date;
            insert into finance_transactions (account_id, amount, transaction_date, transaction_type)
            select md5('account:bench')::uuid, 10 + i % 990, current_date - i % 1095, 'expense'
            from generate_series(1, @Rows / 5) i;

            insert into digital_channels (report_date, channel_name, visits, leads, conversions, cost)
            select current_date - 1 - (i / 1000), 'Channel ' || (i % 1000), 100 + i % 900, i % 20, i % 7, (i % 5000) / 10.0
            from generate_series(0, @Rows - 1) i;
            insert into website_analytics (date, sessions, users, pageviews)
            select current_date - d, 1000 + d % 500, 800 + d % 300, 4000 + d from generate_series(1, 1000) d;
            set session_replication_role = origin;
            analyze;
            """, new { Rows }, commandTimeout: 0);
    }

    private sealed record ReaderResult(string Name, double Median, double P95, double Max, int Count);

    /// <summary>Reads in a loop while (optionally) every KPI view is refreshed once, the given way; idle: 200 reads.</summary>
    private static async Task<ReaderResult> ReadersAsync(NpgsqlDataSource dataSource, string name, string? refreshMode)
    {
        var times = new List<double>();
        using var done = new CancellationTokenSource();
        Task refresh = Task.CompletedTask;
        if (refreshMode is not null)
        {
            refresh = Task.Run(async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await connection.ExecuteAsync("set jit = off");
                foreach (var view in new[] { "sales_daily", "sales_pipeline_daily", "ops_daily", "finance_daily", "finance_ar_daily", "marketing_channel_daily", "marketing_daily" })
                {
                    await connection.ExecuteAsync($"refresh materialized view {refreshMode}kpi.{view}", commandTimeout: 0);
                }

                await done.CancelAsync();
            });
        }

        await using (var reader = await dataSource.OpenConnectionAsync())
        {
            await reader.ExecuteAsync("set jit = off");
            var month = new DateOnly(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1).AddMonths(-1);
            for (var i = 0; refreshMode is null ? i < 200 : !done.IsCancellationRequested; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await reader.ExecuteScalarAsync<decimal?>("select kpi.sales_won_value(@start, @end) + coalesce(kpi.ops_open_backlog(@start, @end), 0)",
                    new { start = month, end = month.AddMonths(1).AddDays(-1) });
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        await refresh;
        times.Sort();
        return new ReaderResult(name, times[times.Count / 2], times[(int)(times.Count * 0.95)], times[^1], times.Count);
    }

    private static async Task GenerateDefinitionsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            set worker.audit = 'batch';
            with functions as (
              select row_number() over (order by p.proname) - 1 as n, p.proname as calculation,
                case when p.prorettype = 'kpi.ratio'::regtype then 'ratio' else 'additive' end as aggregation,
                case when p.proname like 'sales%' then 'sales' when p.proname like 'marketing%' then 'marketing'
                     when p.proname like 'ops%' then 'operations' else 'finance' end as domain
              from pg_proc p
              where p.pronamespace = 'kpi'::regnamespace and p.proargtypes = '1082 1082'::oidvector
                and p.prorettype in ('numeric'::regtype, 'kpi.ratio'::regtype)
            ),
            counted as (select count(*) as c from functions)
            insert into kpi_metrics (domain, name, calculation, grain, aggregation, target_value, direction)
            select f.domain, 'Generated ' || i, f.calculation, (array['month', 'week', 'quarter', 'day'])[1 + i % 4], f.aggregation, 100, 'higher_is_better'
            from generate_series(0, @Definitions - 1) i
            cross join counted
            join functions f on f.n = i % counted.c;
            """, new { Definitions });
    }

    /// <summary>The (calculation, period) pairs the first snapshot evaluates: the same plan as the job's.</summary>
    private static async Task<List<(string Calculation, DateOnly Start, DateOnly End)>> PairsAsync(NpgsqlDataSource dataSource, DateOnly today, int trendPeriods)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var kpis = await connection.QueryAsync<(string Calculation, string Grain)>("select calculation, grain from kpi_metrics where is_active");
        var pairs = new HashSet<(string, DateOnly, DateOnly)>();
        foreach (var (calculation, grain) in kpis)
        {
            if (KpiPeriod.ToDate(grain, today) is { } toDate)
            {
                var comparison = toDate.SameElapsedDaysOfPrevious();
                pairs.Add((calculation, toDate.Start, toDate.End));
                pairs.Add((calculation, comparison.Start, comparison.End));
            }

            var closed = KpiPeriod.LastClosed(grain, today);
            for (var i = 0; i < trendPeriods; i++, closed = closed.Previous())
            {
                pairs.Add((calculation, closed.Start, closed.End));
                pairs.Add((calculation, closed.Previous().Start, closed.Previous().End));
            }
        }

        return [.. pairs];
    }

    /// <summary>One statement that calls each pair's KPI function by name, directly: no resolution, no error isolation, no writes.</summary>
    private static async Task<double> BaselineAsync(NpgsqlDataSource dataSource, List<(string Calculation, DateOnly Start, DateOnly End)> pairs)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("set jit = off");
        var functions = (await connection.QueryAsync<(string Name, bool Ratio)>("""
            select proname, prorettype = 'kpi.ratio'::regtype from pg_proc
            where pronamespace = 'kpi'::regnamespace and proargtypes = '1082 1082'::oidvector and prorettype in ('numeric'::regtype, 'kpi.ratio'::regtype)
            """)).ToList();
        var cases = string.Join("\n", functions.Select(f => f.Ratio
            ? $"when '{f.Name}' then (select r.numerator / nullif(r.denominator, 0) from kpi.{f.Name}(p.s, p.e) r)"
            : $"when '{f.Name}' then kpi.{f.Name}(p.s, p.e)"));
        var sql = $"select count(v) from (select case p.c {cases} end as v from unnest(@c::text[], @s::date[], @e::date[]) as p (c, s, e)) x";
        var started = Stopwatch.GetTimestamp();
        await connection.ExecuteScalarAsync<long>(sql, new
        {
            c = pairs.Select(p => p.Calculation).ToArray(),
            s = pairs.Select(p => p.Start).ToArray(),
            e = pairs.Select(p => p.End).ToArray(),
        }, commandTimeout: 0);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
