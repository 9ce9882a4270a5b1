namespace Worker.Tests.Database;

/// <summary>Values outside a column's domain are refused by the database itself.</summary>
public sealed class ConstraintTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    private const string Setup = ViewTests.FinanceBasics + """
        insert into sales_stages (id, code, name) values ('00000000-0000-0000-0000-00000000000a', 'a', 'A');
        insert into marketing_campaigns (id, name, campaign_type, start_date) values ('00000000-0000-0000-0000-0000000000c1', 'C', 'online', '2026-01-01');
        insert into website_analytics (date, sessions) values ('2026-01-01', 1);
        insert into digital_channels (report_date, channel_name) values ('2026-01-01', 'Email');
        insert into marketing_attribution (report_date, channel) values ('2026-01-01', 'Email');
        """;

    [Theory]
    [InlineData("23514", "insert into marketing_campaigns (name, campaign_type, start_date) values ('X', 'tv', '2026-01-01')")]
    [InlineData("23514", "insert into marketing_campaigns (name, campaign_type, budget, start_date) values ('X', 'online', -1, '2026-01-01')")]
    [InlineData("23514", "insert into marketing_campaigns (name, campaign_type, start_date, end_date) values ('X', 'online', '2026-01-02', '2026-01-01')")]
    [InlineData("23514", "insert into marketing_campaigns (name, campaign_type, start_date, status) values ('X', 'online', '2026-01-01', 'deleted')")]
    [InlineData("23505", "insert into marketing_campaigns (name, campaign_type, start_date) values ('C', 'online', '2026-01-01')")]
    [InlineData("23514", "insert into website_analytics (date, bounce_rate) values ('2026-01-02', 1.5)")]
    [InlineData("23514", "insert into website_analytics (date, pageviews) values ('2026-01-02', -1)")]
    [InlineData("23505", "insert into website_analytics (date) values ('2026-01-01')")]
    [InlineData("23505", "insert into digital_channels (report_date, channel_name) values ('2026-01-01', 'Email')")]
    [InlineData("23514", "insert into digital_channels (report_date, channel_name, cost) values ('2026-01-02', 'Email', -0.01)")]
    [InlineData("23505", "insert into marketing_attribution (report_date, channel) values ('2026-01-01', 'Email')")]
    [InlineData("23514", "insert into seo_sem_campaigns (campaign_id, keyword, start_date, end_date) values ('00000000-0000-0000-0000-0000000000c1', 'k', '2026-02-01', '2026-01-01')")]
    [InlineData("23514", "insert into offline_events (campaign_id, event_name, event_date, attendees) values ('00000000-0000-0000-0000-0000000000c1', 'E', '2026-01-01', -5)")]
    [InlineData("23514", "insert into content_pieces (title, content_type, publish_date) values ('T', 'hologram', '2026-01-01')")]
    [InlineData("23502", "insert into sales_leads (company, stage_id) values (null, '00000000-0000-0000-0000-00000000000a')")]
    [InlineData("23503", "insert into sales_leads (company, stage_id) values ('X', '00000000-0000-0000-0000-0000000000ff')")]
    [InlineData("23514", "insert into sales_leads (company, stage_id, status) values ('X', '00000000-0000-0000-0000-00000000000a', 'maybe')")]
    [InlineData("23514", "insert into sales_leads (company, stage_id, expected_value) values ('X', '00000000-0000-0000-0000-00000000000a', -1)")]
    [InlineData("23514", "insert into ops_sla (name, resolution_target_hours, priority_level) values ('S', 0, 'high')")]
    [InlineData("23514", "insert into ops_sla (name, resolution_target_hours, priority_level) values ('S', 4, 'urgent')")]
    [InlineData("23514", "insert into finance_transactions (account_id, customer_id, amount, transaction_date, transaction_type) values ('00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0', 10, '2026-01-01', 'invoice')")]
    [InlineData("23514", "insert into finance_transactions (account_id, amount, transaction_date, transaction_type) values ('00000000-0000-0000-0000-0000000000a0', 0, '2026-01-01', 'expense')")]
    [InlineData("23514", "insert into finance_transactions (account_id, amount, transaction_date, transaction_type) values ('00000000-0000-0000-0000-0000000000a0', 10, '2026-01-01', 'gift')")]
    [InlineData("23514", "insert into finance_margin (period_start, period_end, revenue, cost_of_goods_sold) values ('2026-02-01', '2026-01-31', 1, 1)")]
    [InlineData("23514", "insert into kpi_metrics (domain, name, calculation) values ('sales', 'Injected', 'select 1; drop table sales_leads')")]
    [InlineData("23514", "insert into kpi_metrics (domain, name, calculation) values ('hr', 'Headcount', 'hr_headcount')")]
    [InlineData("23514", "insert into audit_logs (action, table_name) values ('TRUNCATE', 'x')")]
    public async Task Out_of_domain_values_are_refused(string sqlState, string sql)
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(Setup);

        var error = await t.FailsAsync(sql);

        Assert.Equal(sqlState, error.SqlState);
    }
}
