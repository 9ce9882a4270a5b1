namespace Worker.Tests.Database;

/// <summary>Each view against a small data set whose numbers are worked out by hand in the comments.</summary>
public sealed class ViewTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    private const string TwoUsers = """
        insert into auth.users (id, email, raw_user_meta_data) values
          ('00000000-0000-0000-0000-0000000000a1', 'u1@test', '{"full_name": "User One"}'),
          ('00000000-0000-0000-0000-0000000000a2', 'u2@test', '{"full_name": "User Two"}');
        """;

    [Fact]
    public async Task Sales_pipeline_counts_and_values_leads_per_stage_including_empty_stages()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(TwoUsers + """
            insert into sales_stages (id, code, name) values
              ('00000000-0000-0000-0000-00000000000a', 'a', 'A'), ('00000000-0000-0000-0000-00000000000b', 'b', 'B'),
              ('00000000-0000-0000-0000-00000000000c', 'won', 'Won');
            insert into sales_pipeline_stages (stage_id, name, sequence, outcome) values
              ('00000000-0000-0000-0000-00000000000a', 'A', 1, 'open'), ('00000000-0000-0000-0000-00000000000b', 'B', 2, 'open'),
              ('00000000-0000-0000-0000-00000000000c', 'Won', 3, 'won');
            insert into sales_leads (id, owner_id, company, stage_id, expected_value, status) values
              ('00000000-0000-0000-0000-000000000101', '00000000-0000-0000-0000-0000000000a1', 'L1', '00000000-0000-0000-0000-00000000000a', 100, 'open'),
              ('00000000-0000-0000-0000-000000000102', '00000000-0000-0000-0000-0000000000a1', 'L2', '00000000-0000-0000-0000-00000000000a', 200, 'open'),
              ('00000000-0000-0000-0000-000000000103', '00000000-0000-0000-0000-0000000000a2', 'L3', '00000000-0000-0000-0000-00000000000c', 1000, 'won');
            insert into sales_activities (lead_id, type, activity_date) values
              ('00000000-0000-0000-0000-000000000101', 'call', '2026-01-02'),
              ('00000000-0000-0000-0000-000000000101', 'email', '2026-01-05'),
              ('00000000-0000-0000-0000-000000000103', 'meeting', '2026-01-03');
            """);

        var pipeline = (await t.QueryAsync<(string Stage, int Leads, decimal Value)>(
            "select stage_name, lead_count, total_expected_value from v_sales_pipeline_overview order by sequence")).ToList();
        var activity = (await t.QueryAsync<(string Owner, int Activities, int Leads, int Calls, int Emails, int Meetings, DateTime Last)>(
            "select owner_name, activity_count, leads_touched, calls, emails, meetings, last_activity_date from v_sales_activity_summary order by owner_name")).ToList();

        Assert.Equal([("A", 2, 300m), ("B", 0, 0m), ("Won", 1, 1000m)], pipeline);
        Assert.Equal([("User One", 2, 1, 1, 1, 0, new DateTime(2026, 1, 5)), ("User Two", 1, 1, 0, 0, 1, new DateTime(2026, 1, 3))], activity);
    }

    [Fact]
    public async Task Marketing_overview_sums_leads_and_cost_per_month_with_cost_per_lead_and_roi()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync("""
            insert into sales_stages (id, code, name) values ('00000000-0000-0000-0000-00000000000c', 'won', 'Won');
            insert into marketing_campaigns (id, name, campaign_type, start_date) values ('00000000-0000-0000-0000-0000000000c1', 'Expo', 'offline', '2026-01-01');
            -- January: leads 10 + 5 (channels) + 5 (event) = 20; cost 500 + 100 = 600; cost per lead 30
            insert into digital_channels (report_date, channel_name, leads, cost) values
              ('2026-01-05', 'Paid Search', 10, 500), ('2026-01-20', 'Email', 5, 100),
            -- February: no leads, cost 50: cost per lead undefined, ROI -1
              ('2026-02-01', 'Paid Search', 0, 50);
            insert into offline_events (campaign_id, event_name, event_date, leads_generated) values
              ('00000000-0000-0000-0000-0000000000c1', 'Expo day', '2026-01-10', 5);
            -- revenue: the won lead created in January (1800); the lost one does not count. ROI (1800 - 600) / 600 = 2
            insert into sales_leads (company, stage_id, expected_value, status, created_at) values
              ('Won Co', '00000000-0000-0000-0000-00000000000c', 1800, 'won', '2026-01-15'),
              ('Lost Co', '00000000-0000-0000-0000-00000000000c', 999, 'lost', '2026-01-16');
            """);

        var rows = (await t.QueryAsync<(DateTime Month, long Leads, decimal Cost, decimal? CostPerLead, decimal Revenue, decimal? Roi)>(
            "select month, total_leads, total_cost, cost_per_lead, revenue, roi from v_marketing_overview order by month")).ToList();

        Assert.Equal(
            [(new DateTime(2026, 1, 1), 20L, 600m, 30m, 1800m, 2m), (new DateTime(2026, 2, 1), 0L, 50m, null, 0m, -1m)],
            rows);
    }

    [Fact]
    public async Task Ops_views_count_open_closed_and_breached_tickets_and_average_resolution_time()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync("""
            insert into ops_ticket_statuses (id, code, name, sequence, is_closed) values
              ('00000000-0000-0000-0000-0000000000e1', 'open', 'Open', 1, false),
              ('00000000-0000-0000-0000-0000000000e2', 'closed', 'Closed', 2, true);
            insert into ops_sla (id, name, resolution_target_hours, priority_level) values
              ('00000000-0000-0000-0000-0000000000f1', 'High', 24, 'high');
            -- open for 30 h: breached; closed after 5 h: within; closed after 48 h: breached
            insert into ops_tickets (subject, priority, sla_id, status_id, created_at, closed_at) values
              ('T1', 'high', '00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000e1', now() - interval '30 hours', null),
              ('T2', 'high', '00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000e2', '2026-01-01 10:00+00', '2026-01-01 15:00+00'),
              ('T3', 'high', '00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-0000000000e2', '2026-01-01 00:00+00', '2026-01-03 00:00+00');
            """);

        var overview = await t.QueryAsync<(int Open, int Closed, int Breached)>("select open_tickets, closed_tickets, breached_tickets from v_ops_overview");
        var resolution = await t.QueryAsync<(int Closed, decimal Hours, decimal Within)>(
            "select closed_tickets, avg_resolution_hours, within_sla_ratio from v_ops_average_resolution_time");

        Assert.Equal((1, 2, 2), Assert.Single(overview));
        Assert.Equal((2, 26.5m, 0.5m), Assert.Single(resolution)); // (5 + 48) / 2
    }

    [Fact]
    public async Task Finance_overview_nets_refunds_from_revenue_and_subtracts_expenses()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(FinanceBasics + """
            insert into finance_transactions (id, account_id, customer_id, amount, transaction_date, transaction_type, due_date) values
              ('00000000-0000-0000-0000-000000000c01', '00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0', 1000, '2026-03-02', 'invoice', '2026-04-01'),
              ('00000000-0000-0000-0000-000000000c02', '00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0', 500, '2026-03-20', 'invoice', '2026-04-19');
            insert into finance_transactions (account_id, customer_id, amount, transaction_date, transaction_type, invoice_id) values
              ('00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0', 400, '2026-03-25', 'payment', '00000000-0000-0000-0000-000000000c01'),
              ('00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0', 100, '2026-03-26', 'refund', null);
            insert into finance_transactions (account_id, amount, transaction_date, transaction_type) values
              ('00000000-0000-0000-0000-0000000000a0', 300, '2026-03-31', 'expense');
            """);

        var month = await t.QueryAsync<(decimal Revenue, decimal Expenses, decimal Profit, decimal Cash)>(
            "select revenue, expenses, profit, cash_received from v_finance_overview where month = '2026-03-01'");

        Assert.Equal((1400m, 300m, 1100m, 400m), Assert.Single(month)); // 1000 + 500 - 100; 300; 1400 - 300; 400
    }

    [Fact]
    public async Task All_kpis_shows_each_definition_with_its_latest_snapshot_and_whether_its_target_is_met()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync("""
            insert into auth.users (id, email) values ('00000000-0000-0000-0000-0000000000d1', 'director@test');
            insert into roles (id, name) values ('00000000-0000-0000-0000-0000000000d2', 'director') on conflict (name) do nothing;
            insert into permissions (name) values ('read_kpis'), ('read_sales_leads') on conflict do nothing;
            insert into role_permissions (role_id, permission_id)
              select r.id, p.id from roles r, permissions p where r.name = 'director' and p.name in ('read_kpis', 'read_sales_leads') on conflict do nothing;
            update profiles set role_id = (select id from roles where name = 'director') where id = '00000000-0000-0000-0000-0000000000d1';
            insert into kpi_metrics (id, domain, name, calculation, target_value, direction) values
              ('00000000-0000-0000-0000-0000000000e1', 'sales', 'Win rate', 'sales_win_rate', 0.8, 'higher_is_better'),
              ('00000000-0000-0000-0000-0000000000e2', 'sales', 'Pipeline', 'sales_open_pipeline_value', 300, 'lower_is_better'),
              ('00000000-0000-0000-0000-0000000000e3', 'sales', 'Not computed yet', 'sales_new_leads', 1, 'higher_is_better');
            insert into kpi.snapshots (kpi_id, grain, period_kind, period_start, period_end, value, target_value, status) values
              ('00000000-0000-0000-0000-0000000000e1', 'month', 'closed', '2026-01-01', '2026-01-31', 0.9, 0.8, 'green'),
              ('00000000-0000-0000-0000-0000000000e1', 'month', 'to_date', '2026-02-01', '2026-02-10', 0.75, 0.8, 'red'),
              ('00000000-0000-0000-0000-0000000000e2', 'month', 'closed', '2026-01-01', '2026-01-31', 250, 300, 'green');
            """);
        await Worker.Security.Impersonation.ActAsUserAsync(t.Connection, t.Transaction, new Guid("00000000-0000-0000-0000-0000000000d1"));

        var kpis = (await t.QueryAsync<(string Name, decimal? Value, bool? OnTarget, string? PeriodKind)>(
            "select name, value, on_target, period_kind from v_all_kpis order by name")).ToList();

        Assert.Equal([("Not computed yet", null, null, null), ("Pipeline", 250m, true, "closed"), ("Win rate", 0.75m, false, "to_date")], kpis);
    }

    internal const string FinanceBasics = """
        insert into currencies (code, name) values ('USD', 'US Dollar') on conflict do nothing;
        insert into accounts (id, code, name, account_type) values ('00000000-0000-0000-0000-0000000000a0', '1200', 'AR', 'asset');
        insert into customers (id, name) values ('00000000-0000-0000-0000-0000000000b0', 'Customer');
        """;
}
