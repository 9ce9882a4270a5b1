using Dapper;
using Worker.Kpi;

namespace Worker.Tests.Kpi;

/// <summary>The kpi-snapshot job over the fixed data set of <see cref="KpiData"/>, clock at 11 March 2026.</summary>
public sealed class KpiSnapshotTests
{
    private static readonly DateOnly February = new(2026, 2, 1);
    private static readonly DateOnly March = new(2026, 3, 1);

    [Fact]
    public async Task Every_seeded_kpi_has_its_hand_computed_value_for_the_last_closed_month()
    {
        await using var db = await KpiData.CreateAsync();

        var result = await KpiData.SnapshotJob(db.DataSource, new FixedClock(KpiData.March11)).SnapshotAsync(null, CancellationToken.None);
        var february = await KpiData.SnapshotsAsync(db.DataSource, "closed", February);

        Assert.Equal(19, result.Kpis);
        Assert.Equal(0, result.Errors);
        var expected = new Dictionary<string, decimal>
        {
            ["sales_won_value"] = 4000m,                 // L2
            ["sales_new_leads"] = 3m,                    // L1, L2, L3
            ["sales_open_pipeline_value"] = 3000m,       // L1 1000 + L3 2000 (lost only on 2 March)
            ["sales_win_rate"] = 1m,                     // 1 won / (1 won + 0 lost)
            ["sales_activities"] = 3m,
            ["marketing_leads"] = 40m,                   // 10 + 20 + 10 offline
            ["marketing_cost_per_lead"] = 22.5m,         // 900 / 40
            ["marketing_sessions"] = 2200m,
            ["marketing_conversion_rate"] = 0.02m,       // 6 / 300
            ["marketing_average_daily_users"] = 850m,    // (800 + 900) / 2 days: never summed
            ["marketing_roi"] = 3100m / 900m,            // (4000 won of February's leads - 900) / 900
            ["ops_open_backlog"] = 1m,                   // T3
            ["ops_sla_compliance"] = 0.5m,               // T1 met, T2 breached
            ["ops_average_resolution_hours"] = 41m,      // (10 + 72) / 2
            ["ops_tickets_closed"] = 2m,
            ["finance_revenue"] = 1900m,                 // 2000 invoiced - 100 refunded
            ["finance_expenses"] = 700m,
            ["finance_gross_margin"] = 0.6m,             // (5000 - 2000) / 5000
            ["finance_ar_90_plus"] = 500m,               // I0, 120 days past due on 28 February
        };
        foreach (var (calculation, value) in expected)
        {
            Assert.True(february.TryGetValue(calculation, out var row), $"no February snapshot of {calculation}");
            Assert.True(Math.Abs(row!.Value!.Value - value) < 0.000001m, $"{calculation}: expected {value}, got {row.Value}");
            Assert.Equal(new DateOnly(2026, 2, 28), row.PeriodEnd);
        }

        Assert.Equal(KpiStatuses.Red, february["sales_won_value"].Status);            // 4000 against 60000
        Assert.Equal(KpiStatuses.Green, february["ops_open_backlog"].Status);         // 1 against at most 20
        Assert.Equal(KpiStatuses.Green, february["marketing_cost_per_lead"].Status);  // 22.50 against at most 30
        Assert.Equal(KpiStatuses.Green, february["finance_gross_margin"].Status);     // 60 % against 55 %
        Assert.Equal(KpiStatuses.Red, february["ops_sla_compliance"].Status);         // 50 % against 90 %, amber down to 85.5 %
        Assert.Equal(KpiStatuses.NoData, (await KpiData.SnapshotsAsync(db.DataSource, "closed", new DateOnly(2026, 1, 1)))["sales_won_value"].Status);
    }

    [Fact]
    public async Task Month_to_date_is_compared_with_the_same_days_of_last_month_and_only_additive_targets_are_prorated()
    {
        await using var db = await KpiData.CreateAsync();

        await KpiData.SnapshotJob(db.DataSource, new FixedClock(KpiData.March11)).SnapshotAsync(null, CancellationToken.None);
        var march = await KpiData.SnapshotsAsync(db.DataSource, "to_date", March);

        Assert.Equal(new DateOnly(2026, 3, 10), march["sales_new_leads"].PeriodEnd);
        Assert.Equal((1m, 3m), (march["sales_new_leads"].Value!.Value, march["sales_new_leads"].Comparison!.Value)); // L4 against L1-L3 of 1-10 Feb
        Assert.Equal(-0.666667m, march["sales_new_leads"].Change);
        Assert.Equal((5m, 10m, -0.5m), (march["marketing_leads"].Value!.Value, march["marketing_leads"].Comparison!.Value, march["marketing_leads"].Change!.Value));
        Assert.Equal(800m * 10 / 31, march["marketing_leads"].Target);              // additive: prorated by 10 of 31 days
        Assert.Equal(95000m * 10 / 31, march["finance_expenses"].Target);
        Assert.Equal(20m, march["ops_open_backlog"].Target);                        // a level: never prorated
        Assert.Equal(0.9m, march["ops_sla_compliance"].Target);                     // a ratio: never prorated
        Assert.Equal((1m, 1m), (march["ops_open_backlog"].Value!.Value, march["ops_open_backlog"].Comparison!.Value)); // T3 on 10 March; T2 on 10 Feb
        Assert.Equal(1m, march["ops_sla_compliance"].Value);                        // T4 took exactly its 24 hours: met
        Assert.Equal(KpiStatuses.NoData, march["finance_gross_margin"].Status);     // no margin period ends in March yet
        Assert.Equal(500m, march["sales_won_value"].Value);
        Assert.Null(march["sales_won_value"].Change);                               // nothing won on 1-10 Feb: no change from zero
    }

    [Fact]
    public async Task A_target_that_changes_mid_history_applies_to_the_periods_it_covers()
    {
        await using var db = await KpiData.CreateAsync();
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                delete from kpi_targets where kpi_id = md5('kpi:marketing_leads')::uuid;
                insert into kpi_targets (kpi_id, effective_from, target_value) values
                  (md5('kpi:marketing_leads')::uuid, '2000-01-01', 30), (md5('kpi:marketing_leads')::uuid, '2026-02-01', 50);
                """);
        }

        await KpiData.SnapshotJob(db.DataSource, new FixedClock(KpiData.March11)).SnapshotAsync(null, CancellationToken.None);

        Assert.Equal(30m, (await KpiData.SnapshotsAsync(db.DataSource, "closed", new DateOnly(2026, 1, 1)))["marketing_leads"].Target);
        Assert.Equal(30m, (await KpiData.SnapshotsAsync(db.DataSource, "closed", new DateOnly(2025, 12, 1)))["marketing_leads"].Target);
        var february = (await KpiData.SnapshotsAsync(db.DataSource, "closed", February))["marketing_leads"];
        Assert.Equal((50m, KpiStatuses.Red), (february.Target!.Value, february.Status)); // 40 against 50, amber down to 47.5
        Assert.Equal(50m * 10 / 31, (await KpiData.SnapshotsAsync(db.DataSource, "to_date", March))["marketing_leads"].Target);
    }

    [Fact]
    public async Task A_closed_period_within_the_settle_window_is_recomputed_and_a_changed_value_is_a_revision()
    {
        await using var db = await KpiData.CreateAsync();
        var clock = new FixedClock(KpiData.March11);
        await KpiData.SnapshotJob(db.DataSource, clock, settleDays: 30).SnapshotAsync(null, CancellationToken.None);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("insert into digital_channels (report_date, channel_name, leads) values ('2026-02-20', 'Email', 5)");
        await KpiData.RefreshAsync(db.DataSource);

        var second = await KpiData.SnapshotJob(db.DataSource, clock, settleDays: 30).SnapshotAsync(null, CancellationToken.None);
        var third = await KpiData.SnapshotJob(db.DataSource, clock, settleDays: 30).SnapshotAsync(null, CancellationToken.None);

        var leads = (await KpiData.SnapshotsAsync(db.DataSource, "closed", February))["marketing_leads"];
        Assert.Equal((45m, 40m), (leads.Value!.Value, leads.RevisedFrom!.Value));
        var revisions = (await connection.QueryAsync<(decimal Old, decimal New)>(
            "select old_value, new_value from kpi.snapshot_revisions where kpi_id = md5('kpi:marketing_leads')::uuid")).ToList();
        Assert.Equal([(40m, 45m)], revisions);       // cost per lead moved too; the leads count moved once, and the re-run added nothing
        Assert.Equal(2, second.Revised);             // leads and cost per lead of February
        Assert.Equal(0, third.Revised);
    }

    [Fact]
    public async Task A_settled_closed_period_is_not_recomputed()
    {
        await using var db = await KpiData.CreateAsync();
        var clock = new FixedClock(KpiData.March11);
        await KpiData.SnapshotJob(db.DataSource, clock, settleDays: 3).SnapshotAsync(null, CancellationToken.None);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("insert into digital_channels (report_date, channel_name, leads) values ('2026-02-20', 'Email', 5)");
        await KpiData.RefreshAsync(db.DataSource);

        var second = await KpiData.SnapshotJob(db.DataSource, clock, settleDays: 3).SnapshotAsync(null, CancellationToken.None);

        Assert.Equal(40m, (await KpiData.SnapshotsAsync(db.DataSource, "closed", February))["marketing_leads"].Value); // ended 11 days ago: settled
        Assert.Equal(0, second.Revised);
    }

    [Fact]
    public async Task Injected_or_wrong_calculations_are_errors_on_their_kpi_alone_and_never_run()
    {
        await using var db = await KpiData.CreateAsync();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        // The table's CHECK already refuses most of these names; drop it to prove the resolver refuses them too.
        await connection.ExecuteAsync("""
            alter table kpi_metrics drop constraint kpi_metrics_calculation_check;
            create function public.evil(period_start date, period_end date) returns numeric language sql return 1;
            create function kpi.wrong_arguments(days integer) returns numeric language sql return 1;
            create function kpi.wrong_type(period_start date, period_end date) returns text language sql return 'x';
            create function kpi.divides_by_zero(period_start date, period_end date) returns numeric language sql return 1 / 0;
            insert into kpi_metrics (domain, name, calculation) values
              ('sales', 'Injected drop', 'x; drop table sales_leads'),
              ('sales', 'Injected sleep', 'pg_sleep'),
              ('sales', 'Qualified sleep', 'pg_catalog.pg_sleep'),
              ('sales', 'Call syntax', 'sales_won_value(''2020-01-01'', ''2020-01-31'')'),
              ('sales', 'Other schema', 'public.evil'),
              ('sales', 'Other schema, bare', 'evil'),
              ('sales', 'Wrong arguments', 'wrong_arguments'),
              ('sales', 'Wrong type', 'wrong_type'),
              ('sales', 'Fails', 'divides_by_zero'),
              ('sales', 'Internal', 'evaluate');
            """);

        var result = await KpiData.SnapshotJob(db.DataSource, new FixedClock(KpiData.March11)).SnapshotAsync(null, CancellationToken.None);

        var errors = (await connection.QueryAsync<(string Name, string Status, string Error)>("""
            select distinct k.name, s.status, s.error from kpi.snapshots s join kpi_metrics k on k.id = s.kpi_id
            where s.period_kind = 'closed' and s.period_start = '2026-02-01' and s.error is not null order by 1
            """)).ToDictionary(e => e.Name);
        Assert.Equal(10, errors.Count);
        Assert.All(errors.Values, e => Assert.Equal(KpiStatuses.Error, e.Status));
        Assert.Contains("not a plain lower-case function name", errors["Injected drop"].Error, StringComparison.Ordinal);
        Assert.Contains("not a plain lower-case function name", errors["Qualified sleep"].Error, StringComparison.Ordinal);
        Assert.Contains("not a plain lower-case function name", errors["Call syntax"].Error, StringComparison.Ordinal);
        Assert.Contains("not a plain lower-case function name", errors["Other schema"].Error, StringComparison.Ordinal);
        Assert.Equal("no function kpi.pg_sleep(date, date)", errors["Injected sleep"].Error);
        Assert.Equal("no function kpi.evil(date, date)", errors["Other schema, bare"].Error);
        Assert.Contains("wrong arguments", errors["Wrong arguments"].Error, StringComparison.Ordinal);
        Assert.Contains("wrong arguments", errors["Internal"].Error, StringComparison.Ordinal);
        Assert.Contains("returns text", errors["Wrong type"].Error, StringComparison.Ordinal);
        Assert.Contains("division by zero", errors["Fails"].Error, StringComparison.Ordinal);
        // The others carry on, and nothing was dropped.
        Assert.Equal(10, result.Errors);
        Assert.Equal(4000m, (await KpiData.SnapshotsAsync(db.DataSource, "closed", February))["sales_won_value"].Value);
        Assert.Equal(4, await connection.ExecuteScalarAsync<int>("select count(*) from sales_leads"));
    }

    [Fact]
    public async Task Running_the_snapshot_twice_changes_nothing()
    {
        await using var db = await KpiData.CreateAsync();
        var job = KpiData.SnapshotJob(db.DataSource, new FixedClock(KpiData.March11));
        var first = await job.SnapshotAsync(null, CancellationToken.None);

        var second = await job.SnapshotAsync(null, CancellationToken.None);

        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.True(first.Inserted > 0);
        Assert.Equal(0, second.Inserted);
        Assert.Equal(first.Inserted, await connection.ExecuteScalarAsync<long>("select count(*) from kpi.snapshots"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from kpi.snapshot_revisions"));
    }
}
