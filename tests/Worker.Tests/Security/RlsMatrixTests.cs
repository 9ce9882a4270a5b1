using Npgsql;
using Worker.Security;

namespace Worker.Tests.Security;

/// <summary>
/// Every table × every actor × select/insert/update/delete against the seeded database, acting the
/// way PostgREST does (role + request.jwt.claims in a transaction that is rolled back).
/// </summary>
public sealed class RlsMatrixTests(SeededDatabase db) : IClassFixture<SeededDatabase>
{
    // A: allowed. H: hidden — no rows, no error. R: refused with SQLSTATE 42501.
    // Each cell block is select, insert, update, delete; columns are Actor.All:
    //                                     anon  director admin sales marketing ops finance service_role
    private const string Reference     = "RRRR ARHH AAAA ARHH ARHH ARHH ARHH AAAA";
    private const string MarketingData = "RRRR ARHH AAAA HRHH AAAA HRHH HRHH AAAA";
    private const string OpsData       = "RRRR ARHH AAAA HRHH HRHH AAAA HRHH AAAA";
    private const string FinanceData   = "RRRR ARHH AAAA HRHH HRHH HRHH AAAA AAAA";
    private const string OwnLeads      = "RRRR ARHH AAAA AAAA HRHH HRHH HRHH AAAA";

    /// <summary>
    /// The declarative table: per table, the expected matrix, and how to make a row of it. Row 1 is
    /// made by the database owner and then read, updated and deleted by each actor; row 2 is what
    /// each actor tries to insert. {id} and {n} stand for the row's id and number; a setup runs as
    /// the owner first. Sales rows belong to the sales user; the KPI row is a sales KPI.
    /// </summary>
    public static TheoryData<string> Tables => new(Cases.Keys);

    private static readonly Dictionary<string, TableCase> Cases = new()
    {
        ["countries"] = new(Reference, "insert into countries (id, code, name) values ({id}, 'Q{L}', 'Test')"),
        ["currencies"] = new(Reference, "insert into currencies (id, code, name) values ({id}, 'QQ{L}', 'Test')"),
        ["sales_stages"] = new(Reference, "insert into sales_stages (id, code, name) values ({id}, 'test_{n}', 'Test')"),
        ["expense_categories"] = new(Reference, "insert into expense_categories (id, code, name) values ({id}, 'test_{n}', 'Test')"),
        ["sales_pipeline_stages"] = new(Reference,
            "insert into sales_pipeline_stages (id, stage_id, name, sequence) values ({id}, md5('test-stage:{n}')::uuid, 'Test', 100 + {n})",
            Setup: "insert into sales_stages (id, code, name) values (md5('test-stage:{n}')::uuid, 'test_{n}', 'Test')"),
        ["sales_reasons"] = new(Reference, "insert into sales_reasons (id, name, category) values ({id}, 'Test {n}', 'lost')"),
        ["ops_sla"] = new(Reference,
            "insert into ops_sla (id, name, resolution_target_hours, priority_level) values ({id}, 'Test {n}', 1, (array['low', 'medium'])[{n}])",
            Setup: "delete from ops_sla where priority_level = (array['low', 'medium'])[{n}]"),
        ["ops_ticket_statuses"] = new(Reference, "insert into ops_ticket_statuses (id, code, name, sequence) values ({id}, 'test_{n}', 'Test', 99)"),
        ["roles"] = new(Reference, "insert into roles (id, name) values ({id}, 'test_{n}')"),
        ["permissions"] = new(Reference, "insert into permissions (id, name) values ({id}, 'test_{n}')"),
        ["role_permissions"] = new(Reference,
            "insert into role_permissions (role_id, permission_id) values (md5('role:sales')::uuid, md5('test-permission:{n}')::uuid)",
            Setup: "insert into permissions (id, name) values (md5('test-permission:{n}')::uuid, 'test_{n}')",
            Key: "permission_id = md5('test-permission:1')::uuid", TouchColumn: "role_id"),
        ["profiles"] = new("RRRR HRHH AAAA HRHH HRHH HRHH HRHH AAAA",
            "insert into profiles (id, full_name) values ({id}, 'Test {n}')",
            Setup: "insert into auth.users (id, email) values ({id}, 'test{n}@test'); delete from profiles where id = {id}"),
        ["audit_logs"] = new("RRRR HRRR ARRR HRRR HRRR HRRR HRRR AARR",
            "insert into audit_logs (action, table_name, record_id) values ('INSERT', 'test', {id}::text)",
            Key: "record_id = md5('row:1')::uuid::text", TouchColumn: "record_id"),
        ["sales_leads"] = new(OwnLeads,
            "insert into sales_leads (id, owner_id, company, stage_id) values ({id}, md5('user:sales')::uuid, 'Test {n}', md5('stage:prospecting')::uuid)"),
        ["sales_activities"] = new(OwnLeads,
            "insert into sales_activities (id, lead_id, type, activity_date) values ({id}, md5('lead:1')::uuid, 'call', '2020-01-01')"),
        ["marketing_campaigns"] = new(MarketingData, "insert into marketing_campaigns (id, name, campaign_type, start_date) values ({id}, 'Test {n}', 'online', '2020-01-01')"),
        ["offline_events"] = new(MarketingData, "insert into offline_events (id, campaign_id, event_name, event_date) values ({id}, md5('campaign:expo')::uuid, 'Test {n}', '2020-01-01')"),
        ["seo_sem_campaigns"] = new(MarketingData, "insert into seo_sem_campaigns (id, campaign_id, keyword, start_date, end_date) values ({id}, md5('campaign:search')::uuid, 'test {n}', '2020-01-01', '2020-01-31')"),
        ["website_analytics"] = new(MarketingData, "insert into website_analytics (id, date) values ({id}, date '2000-01-01' + {n})"),
        ["digital_channels"] = new(MarketingData, "insert into digital_channels (id, report_date, channel_name) values ({id}, '2000-01-01', 'Test {n}')"),
        ["content_pieces"] = new(MarketingData, "insert into content_pieces (id, title, content_type, publish_date) values ({id}, 'Test {n}', 'blog', '2020-01-01')"),
        ["marketing_attribution"] = new(MarketingData, "insert into marketing_attribution (id, report_date, channel) values ({id}, '2000-01-01', 'Test {n}')"),
        ["ops_tickets"] = new(OpsData, "insert into ops_tickets (id, subject, status_id) values ({id}, 'Test {n}', md5('status:open')::uuid)"),
        ["ops_ticket_assignees"] = new(OpsData, "insert into ops_ticket_assignees (id, ticket_id, assignee_id) values ({id}, md5('ticket:{n}')::uuid, md5('user:finance')::uuid)"),
        ["ops_ticket_transitions"] = new("RRRR ARRR ARRR HRRR HRRR ARRR HRRR AAAA",
            "insert into ops_ticket_transitions (id, ticket_id, to_status_id) values ({id}, md5('ticket:1')::uuid, md5('status:open')::uuid)"),
        ["accounts"] = new(FinanceData, "insert into accounts (id, code, name, account_type) values ({id}, 'T{n}', 'Test', 'asset')"),
        ["customers"] = new(FinanceData, "insert into customers (id, name) values ({id}, 'Test {n}')"),
        ["finance_transactions"] = new(FinanceData, "insert into finance_transactions (id, account_id, amount, transaction_date, transaction_type) values ({id}, md5('account:6000')::uuid, 1, '2020-01-01', 'expense')"),
        ["finance_margin"] = new(FinanceData, "insert into finance_margin (id, period_start, period_end, revenue, cost_of_goods_sold) values ({id}, date '2000-01-01' + {n}, date '2000-01-01' + {n}, 1, 1)"),
        ["kpi_metrics"] = new("RRRR ARHH AAAA ARHH HRHH HRHH HRHH AAAA",
            "insert into kpi_metrics (id, domain, name, calculation) values ({id}, 'sales', 'Test {n}', 'test_{n}')"),
        ["kpi_targets"] = new("RRRR ARHH AAAA ARHH HRHH HRHH HRHH AAAA",
            "insert into kpi_targets (id, kpi_id, effective_from, target_value) values ({id}, md5('kpi:sales_won_value')::uuid, date '1990-01-01' + {n}, 1)"),
    };

    [Fact]
    public async Task Every_table_of_the_exposed_schema_is_in_the_matrix()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("select relname from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') order by 1", connection);
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Equal(tables.Order(StringComparer.Ordinal), Cases.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Tables))]
    public async Task Each_actor_may_do_exactly_what_the_matrix_says(string table)
    {
        var expected = Cases[table].Expected.Split(' ');
        var mismatches = new List<string>();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await RunAsync(connection, tx, Cases[table].SetupFor(1) + Cases[table].InsertFor(1));

        for (var a = 0; a < Actor.All.Length; a++)
        {
            var actor = Actor.All[a];
            var commands = new (string Name, string Sql, string? Setup)[]
            {
                ("select", $"select count(*) from {table} where {Cases[table].KeyFor(1)}", null),
                ("insert", Cases[table].InsertFor(2), Cases[table].SetupFor(2)),
                ("update", $"update {table} set {Cases[table].TouchColumn} = {Cases[table].TouchColumn} where {Cases[table].KeyFor(1)}", null),
                ("delete", $"delete from {table} where {Cases[table].KeyFor(1)}", null),
            };
            for (var c = 0; c < commands.Length; c++)
            {
                var outcome = await OutcomeAsync(connection, tx, actor, commands[c].Name, commands[c].Sql, commands[c].Setup);
                if (outcome != expected[a][c])
                {
                    mismatches.Add($"{actor} {commands[c].Name}: expected {expected[a][c]}, got {outcome}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"{table}: " + string.Join("; ", mismatches));
    }

    private static async Task<char> OutcomeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Actor actor, string command, string sql, string? setup)
    {
        await tx.SaveAsync("cell");
        try
        {
            if (setup is { Length: > 0 })
            {
                await RunAsync(connection, tx, setup);
            }

            await Impersonation.ActAsAsync(connection, tx, actor.DatabaseRole, actor.UserId);
            await using var cmd = new NpgsqlCommand(sql, connection, tx);
            if (command == "select")
            {
                return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0 ? 'A' : 'H';
            }

            var rows = await cmd.ExecuteNonQueryAsync();
            return command == "insert" || rows > 0 ? 'A' : 'H';
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            return 'R';
        }
        catch (PostgresException ex)
        {
            throw new Xunit.Sdk.XunitException($"{actor} {command}: unexpected {ex.SqlState} {ex.MessageText} in: {sql}");
        }
        finally
        {
            await tx.RollbackAsync("cell");
        }
    }

    private static async Task RunAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync();
    }

    private sealed record TableCase(string Expected, string Insert, string? Setup = null, string? Key = null, string TouchColumn = "id")
    {
        public string InsertFor(int n) => Fill(Insert, n) + ";";

        public string SetupFor(int n) => Setup is null ? "" : Fill(Setup, n) + ";";

        public string KeyFor(int n) => Key ?? $"id = {RowId(n)}";

        private static string RowId(int n) => $"md5('row:{n}')::uuid";

        private static string Fill(string template, int n) => template
            .Replace("{id}", RowId(n), StringComparison.Ordinal)
            .Replace("{n}", n.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{L}", ((char)('A' + n)).ToString(), StringComparison.Ordinal);
    }
}
