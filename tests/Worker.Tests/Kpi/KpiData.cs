using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Worker.Kpi;

namespace Worker.Tests.Kpi;

/// <summary>A clock fixed at one instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// A scratch database with the seed's KPI definitions and targets and a small data set whose every
/// figure is worked out by hand below, for February 2026 and 1–10 March 2026 (the clock stands at
/// 11 March 2026, noon UTC; Kpi:TimeZone is UTC).
/// </summary>
internal static class KpiData
{
    public static readonly DateTimeOffset March11 = new(2026, 3, 11, 12, 0, 0, TimeSpan.Zero);

    // Sales: L1 open 1000 (created 3 Feb); L2 won 4000 (created 5 Feb, won 20 Feb); L3 lost 2000
    // (created 10 Feb, lost 2 Mar); L4 won 500 (created 4 Mar, won 5 Mar). Activities: 3 on 15 Feb, 2 on 3 Mar.
    // Marketing: channel rows 1 Feb (visits 100, leads 10, conversions 2, cost 300), 15 Feb (200, 20, 4, 600),
    // 2 Mar (50, 5, 1, 100); an offline event on 20 Feb with 10 leads; site 1 Feb (1000 sessions, 800 users),
    // 2 Feb (1200, 900), 1 Mar (500, 400).
    // Operations (SLA high = 24 h): T1 2 Feb 10:00–20:00 (10 h, met); T2 10 Feb–13 Feb (72 h, breached);
    // T3 25 Feb, open; T4 3 Mar–4 Mar (24 h: exactly the SLA, met).
    // Finance: I0 500 on 1 Oct 2025 due 31 Oct (unpaid: 90+ from 29 Jan); I1 1000 on 5 Jan due 4 Feb, 400 paid
    // 10 Feb; I2 2000 on 10 Feb due 12 Mar; refund 100 on 20 Feb; expenses 700 on 14 Feb and 300 on 5 Mar;
    // margin period February: revenue 5000, cost of goods 2000.
    public const string FixedData = """
        insert into sales_stages (id, code, name) values
          ('00000000-0000-0000-0000-00000000005a', 'open', 'Open'), ('00000000-0000-0000-0000-00000000005b', 'won', 'Won'),
          ('00000000-0000-0000-0000-00000000005c', 'lost', 'Lost');
        insert into sales_leads (id, company, stage_id, expected_value, status, created_at, closed_at) values
          ('00000000-0000-0000-0000-0000000001a1', 'L1', '00000000-0000-0000-0000-00000000005a', 1000, 'open', '2026-02-03 09:00Z', null),
          ('00000000-0000-0000-0000-0000000001a2', 'L2', '00000000-0000-0000-0000-00000000005b', 4000, 'won', '2026-02-05 09:00Z', '2026-02-20 09:00Z'),
          ('00000000-0000-0000-0000-0000000001a3', 'L3', '00000000-0000-0000-0000-00000000005c', 2000, 'lost', '2026-02-10 09:00Z', '2026-03-02 09:00Z'),
          ('00000000-0000-0000-0000-0000000001a4', 'L4', '00000000-0000-0000-0000-00000000005b', 500, 'won', '2026-03-04 09:00Z', '2026-03-05 09:00Z');
        insert into sales_activities (lead_id, type, activity_date) values
          ('00000000-0000-0000-0000-0000000001a1', 'call', '2026-02-15'), ('00000000-0000-0000-0000-0000000001a1', 'email', '2026-02-15'),
          ('00000000-0000-0000-0000-0000000001a2', 'call', '2026-02-15'), ('00000000-0000-0000-0000-0000000001a4', 'demo', '2026-03-03'),
          ('00000000-0000-0000-0000-0000000001a4', 'note', '2026-03-03');

        insert into digital_channels (report_date, channel_name, visits, leads, conversions, cost) values
          ('2026-02-01', 'Paid Search', 100, 10, 2, 300), ('2026-02-15', 'Paid Search', 200, 20, 4, 600),
          ('2026-03-02', 'Paid Search', 50, 5, 1, 100);
        insert into marketing_campaigns (id, name, campaign_type, start_date) values ('00000000-0000-0000-0000-0000000002c1', 'Expo', 'offline', '2026-01-01');
        insert into offline_events (campaign_id, event_name, event_date, leads_generated) values ('00000000-0000-0000-0000-0000000002c1', 'Expo day', '2026-02-20', 10);
        insert into website_analytics (date, sessions, users) values ('2026-02-01', 1000, 800), ('2026-02-02', 1200, 900), ('2026-03-01', 500, 400);

        insert into ops_sla (id, name, resolution_target_hours, priority_level) values ('00000000-0000-0000-0000-0000000003e1', 'High', 24, 'high');
        insert into ops_ticket_statuses (id, code, name, sequence, is_closed) values
          ('00000000-0000-0000-0000-0000000003f1', 'open', 'Open', 1, false), ('00000000-0000-0000-0000-0000000003f2', 'closed', 'Closed', 2, true);
        insert into ops_tickets (subject, status_id, priority, sla_id, created_at, closed_at) values
          ('T1', '00000000-0000-0000-0000-0000000003f2', 'high', '00000000-0000-0000-0000-0000000003e1', '2026-02-02 10:00Z', '2026-02-02 20:00Z'),
          ('T2', '00000000-0000-0000-0000-0000000003f2', 'high', '00000000-0000-0000-0000-0000000003e1', '2026-02-10 00:00Z', '2026-02-13 00:00Z'),
          ('T3', '00000000-0000-0000-0000-0000000003f1', 'high', '00000000-0000-0000-0000-0000000003e1', '2026-02-25 00:00Z', null),
          ('T4', '00000000-0000-0000-0000-0000000003f2', 'high', '00000000-0000-0000-0000-0000000003e1', '2026-03-03 00:00Z', '2026-03-04 00:00Z');

        insert into currencies (code, name) values ('USD', 'US Dollar') on conflict do nothing;
        insert into accounts (id, code, name, account_type) values ('00000000-0000-0000-0000-0000000004a0', '1200', 'AR', 'asset');
        insert into customers (id, name) values ('00000000-0000-0000-0000-0000000004b0', 'Customer');
        insert into finance_transactions (id, account_id, customer_id, amount, transaction_date, transaction_type, due_date) values
          ('00000000-0000-0000-0000-0000000004c0', '00000000-0000-0000-0000-0000000004a0', '00000000-0000-0000-0000-0000000004b0', 500, '2025-10-01', 'invoice', '2025-10-31'),
          ('00000000-0000-0000-0000-0000000004c1', '00000000-0000-0000-0000-0000000004a0', '00000000-0000-0000-0000-0000000004b0', 1000, '2026-01-05', 'invoice', '2026-02-04'),
          ('00000000-0000-0000-0000-0000000004c2', '00000000-0000-0000-0000-0000000004a0', '00000000-0000-0000-0000-0000000004b0', 2000, '2026-02-10', 'invoice', '2026-03-12');
        insert into finance_transactions (account_id, customer_id, amount, transaction_date, transaction_type, invoice_id) values
          ('00000000-0000-0000-0000-0000000004a0', '00000000-0000-0000-0000-0000000004b0', 400, '2026-02-10', 'payment', '00000000-0000-0000-0000-0000000004c1'),
          ('00000000-0000-0000-0000-0000000004a0', '00000000-0000-0000-0000-0000000004b0', 100, '2026-02-20', 'refund', null);
        insert into finance_transactions (account_id, amount, transaction_date, transaction_type) values
          ('00000000-0000-0000-0000-0000000004a0', 700, '2026-02-14', 'expense'), ('00000000-0000-0000-0000-0000000004a0', 300, '2026-03-05', 'expense');
        insert into finance_margin (period_start, period_end, revenue, cost_of_goods_sold) values ('2026-02-01', '2026-02-28', 5000, 2000);
        """;

    /// <summary>A scratch database with the seed's KPI definitions and targets, the fixed data set, views refreshed.</summary>
    public static async Task<ScratchDatabase> CreateAsync(bool withData = true)
    {
        var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(File.ReadAllText(Path.Combine(Worker.Hosting.ContentRoot.Locate(), "supabase", "seed", "07_kpi_metrics.sql")));
        if (withData)
        {
            await connection.ExecuteAsync(FixedData);
        }

        await RefreshAsync(db.DataSource);
        return db;
    }

    public static IOptions<KpiOptions> Options(int settleDays = 3) => Microsoft.Extensions.Options.Options.Create(new KpiOptions { TimeZone = "UTC", SettleDays = settleDays, TrendPeriods = 3 });

    public static Task RefreshAsync(NpgsqlDataSource dataSource) =>
        new RefreshKpiViewsJob(dataSource, Options(), null!, null!, NullLogger<RefreshKpiViewsJob>.Instance).RefreshAsync(10, CancellationToken.None);

    public static KpiSnapshotJob SnapshotJob(NpgsqlDataSource dataSource, TimeProvider clock, int settleDays = 3) =>
        new(dataSource, Options(settleDays), clock, NullLogger<KpiSnapshotJob>.Instance);

    /// <summary>(value, target, status, comparison) of each KPI's snapshot of one period, by calculation.</summary>
    public static async Task<Dictionary<string, SnapshotRow>> SnapshotsAsync(NpgsqlDataSource dataSource, string kind, DateOnly start)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<SnapshotRow>("""
            select k.calculation, s.value, s.target_value as Target, s.status, s.comparison_value as Comparison, s.change, s.error,
              s.revised_from as RevisedFrom, s.period_end as PeriodEnd
            from kpi.snapshots s join kpi_metrics k on k.id = s.kpi_id
            where s.period_kind = @kind and s.period_start = @start
            """, new { kind, start });
        return rows.ToDictionary(r => r.Calculation);
    }

    internal sealed record SnapshotRow(string Calculation, decimal? Value, decimal? Target, string Status, decimal? Comparison, decimal? Change, string? Error,
        decimal? RevisedFrom, DateOnly PeriodEnd);
}
