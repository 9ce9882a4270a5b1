using Dapper;

namespace Worker.Tests.Database;

/// <summary>Everything database-schema.md names exists, with the columns it names.</summary>
public sealed class SchemaTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    // Tables and the columns the spec gives them (our additions are allowed beside them).
    private static readonly Dictionary<string, string[]> SpecTables = new()
    {
        ["profiles"] = ["id", "full_name", "avatar_url", "role_id", "created_at", "updated_at"],
        ["roles"] = ["id", "name", "description"],
        ["permissions"] = ["id", "name", "description"],
        ["role_permissions"] = ["role_id", "permission_id"],
        ["audit_logs"] = ["id", "actor_id", "action", "table_name", "record_id", "changes", "created_at", "updated_at"],
        ["countries"] = ["id", "code", "name", "is_active"],
        ["currencies"] = ["id", "code", "name", "is_active"],
        ["sales_stages"] = ["id", "code", "name", "is_active"],
        ["expense_categories"] = ["id", "code", "name", "is_active"],
        ["sales_leads"] = ["id", "owner_id", "company", "contact_name", "stage_id", "expected_value", "status", "created_at", "updated_at"],
        ["sales_pipeline_stages"] = ["id", "name", "sequence", "is_active"],
        ["sales_activities"] = ["id", "lead_id", "type", "note", "activity_date", "created_at"],
        ["sales_reasons"] = ["id", "name", "category", "is_active"],
        ["marketing_campaigns"] = ["id", "name", "campaign_type", "budget", "start_date", "end_date", "status"],
        ["offline_events"] = ["id", "campaign_id", "event_name", "location", "event_date", "attendees", "leads_generated", "notes", "created_at", "updated_at"],
        ["seo_sem_campaigns"] = ["id", "campaign_id", "keyword", "impressions", "clicks", "conversions", "cost", "start_date", "end_date"],
        ["website_analytics"] = ["id", "date", "pageviews", "sessions", "users", "bounce_rate", "avg_session_duration"],
        ["digital_channels"] = ["id", "channel_name", "visits", "leads", "conversions", "cost", "report_date"],
        ["content_pieces"] = ["id", "campaign_id", "title", "content_type", "publish_date", "impressions", "leads_generated"],
        ["marketing_attribution"] = ["id", "channel", "first_touch_conversions", "last_touch_conversions", "assisted_conversions", "report_date"],
        ["ops_tickets"] = ["id", "reporter_id", "assignee_id", "status_id", "priority", "subject", "description", "sla_id", "created_at", "updated_at", "closed_at"],
        ["ops_sla"] = ["id", "name", "resolution_target_hours", "priority_level"],
        ["ops_ticket_statuses"] = ["id"],
        ["ops_ticket_assignees"] = ["id"],
        ["ops_ticket_transitions"] = ["id"],
        ["accounts"] = ["id"],
        ["customers"] = ["id"],
        ["finance_transactions"] = ["id", "account_id", "customer_id", "amount", "transaction_date", "transaction_type", "description"],
        ["finance_margin"] = ["id", "revenue", "cost_of_goods_sold", "gross_margin"],
        ["kpi_metrics"] = ["id", "domain", "name", "description", "calculation", "target_value"],
    };

    private static readonly Dictionary<string, string[]> SpecViews = new()
    {
        ["ar_aging"] = ["id", "customer_id", "invoice_id", "due_date", "amount_due", "bucket"],
        ["v_sales_pipeline_overview"] = ["stage_name", "lead_count", "total_expected_value"],
        ["v_sales_activity_summary"] = ["owner_id", "activity_count"],
        ["v_marketing_overview"] = ["total_leads", "total_cost", "cost_per_lead", "roi"],
        ["v_ops_overview"] = ["sla_name", "open_tickets", "closed_tickets"],
        ["v_ops_average_resolution_time"] = ["sla_name", "avg_resolution_hours"],
        ["v_finance_overview"] = ["revenue", "expenses", "profit"],
        ["v_finance_ar_summary"] = ["bucket", "amount_due"],
        ["v_all_kpis"] = ["domain", "name", "value", "target_value"],
    };

    [Fact]
    public async Task Every_table_of_the_spec_exists_with_its_columns()
    {
        var columns = await ColumnsAsync("BASE TABLE");

        foreach (var (table, expected) in SpecTables)
        {
            Assert.True(columns.ContainsKey(table), $"table public.{table} is missing");
            Assert.Empty(expected.Except(columns[table]));
        }
    }

    [Fact]
    public async Task Every_view_of_the_spec_exists_with_its_columns_and_runs_as_the_invoker()
    {
        var columns = await ColumnsAsync("VIEW");
        await using var connection = await db.DataSource.OpenConnectionAsync();

        foreach (var (view, expected) in SpecViews)
        {
            Assert.True(columns.ContainsKey(view), $"view public.{view} is missing");
            Assert.Empty(expected.Except(columns[view]));
            var options = await connection.ExecuteScalarAsync<string[]>("select reloptions from pg_class where oid = ('public.' || @view)::regclass", new { view });
            Assert.Contains("security_invoker=true", options ?? []);
            await connection.ExecuteAsync($"select * from public.{view}"); // and it runs
        }
    }

    [Fact]
    public async Task Natural_keys_for_idempotent_loads_are_unique()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var uniqueKeys = (await connection.QueryAsync<string>("""
            select c.conrelid::regclass::text || '(' || string_agg(a.attname, ',' order by k.ord) || ')'
            from pg_constraint c
            cross join unnest(c.conkey) with ordinality as k (attnum, ord)
            join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
            where c.contype = 'u' and c.connamespace = 'public'::regnamespace
            group by c.oid, c.conrelid
            """)).ToHashSet();

        Assert.Contains("website_analytics(date,source)", uniqueKeys);
        Assert.Contains("digital_channels(report_date,channel_name,source)", uniqueKeys);
        Assert.Contains("marketing_attribution(report_date,channel,source)", uniqueKeys);
    }

    [Fact]
    public async Task Every_table_with_updated_at_keeps_it_current_by_trigger()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var missing = await connection.QueryAsync<string>("""
            select c.table_name from information_schema.columns c
            where c.table_schema = 'public' and c.column_name = 'updated_at'
              and exists (select from information_schema.tables t where t.table_schema = 'public' and t.table_name = c.table_name and t.table_type = 'BASE TABLE')
              and c.table_name <> 'audit_logs'
              and not exists (
                select from pg_trigger g where g.tgrelid = ('public.' || c.table_name)::regclass and g.tgname = 'set_updated_at')
            """);

        Assert.Empty(missing);
    }

    private async Task<Dictionary<string, HashSet<string>>> ColumnsAsync(string tableType)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string Table, string Column)>("""
            select c.table_name, c.column_name
            from information_schema.columns c
            join information_schema.tables t using (table_schema, table_name)
            where c.table_schema = 'public' and t.table_type = @tableType
            """, new { tableType });
        return rows.GroupBy(r => r.Table).ToDictionary(g => g.Key, g => g.Select(r => r.Column).ToHashSet());
    }
}
