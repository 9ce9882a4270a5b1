using Dapper;
using Worker.Security;

namespace Worker.Tests.Security;

public sealed class AuditTrailTests(SeededDatabase db) : IClassFixture<SeededDatabase>
{
    private static readonly Guid OwnLead = Actor.SeedId("lead:1");

    [Fact]
    public async Task A_users_change_is_logged_with_the_user_and_only_the_changed_fields()
    {
        await using var s = await RolledBack.BeginAsync(db.DataSource, Actor.Sales);
        var before = await s.Connection.ExecuteScalarAsync<decimal>("select expected_value from sales_leads where id = @OwnLead", new { OwnLead }, s.Transaction);

        await s.Connection.ExecuteAsync("update sales_leads set expected_value = expected_value + 1, contact_name = contact_name where id = @OwnLead", new { OwnLead }, s.Transaction);

        await s.Connection.ExecuteAsync("select set_config('role', 'postgres', true)", transaction: s.Transaction);
        var entry = await s.Connection.QuerySingleAsync<(Guid? Actor, string Role, string Action, string Table, string Record, string Changes)>("""
            select actor_id, actor_role, action, table_name, record_id, changes::text from audit_logs
            where table_name = 'sales_leads' and record_id = @Id and action = 'UPDATE'
            """, new { Id = OwnLead.ToString() }, s.Transaction);
        Assert.Equal(Actor.Sales.UserId, entry.Actor);
        Assert.Equal("authenticated", entry.Role);
        var expected = FormattableString.Invariant($"{{\"expected_value\": {{\"new\": {before + 1}, \"old\": {before}}}}}");
        Assert.Equal(expected, entry.Changes);
    }

    [Fact]
    public async Task A_worker_job_is_logged_under_its_own_name_and_batch_loads_skip_the_per_row_trail()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("select set_config('worker.actor', 'job:ga4-daily', true)", transaction: tx);
        await connection.ExecuteAsync("insert into website_analytics (date, sessions) values ('1999-01-01', 5)", transaction: tx);
        await connection.ExecuteAsync("select set_config('worker.audit', 'batch', true)", transaction: tx);
        await connection.ExecuteAsync("insert into website_analytics (date, sessions) values ('1999-01-02', 6)", transaction: tx);

        var logged = (await connection.QueryAsync<(string Role, string Changes)>(
            "select actor_role, changes->>'date' from audit_logs where table_name = 'website_analytics' and changes->>'date' like '1999-%'", transaction: tx)).ToList();

        Assert.Equal([("job:ga4-daily", "1999-01-01")], logged);
    }

    [Fact]
    public async Task The_permissions_the_worker_checks_come_from_the_same_tables()
    {
        var permissions = new UserPermissions(db.DataSource);

        var ops = await permissions.ForUserAsync(Actor.Ops.UserId!.Value);
        var director = await permissions.ForUserAsync(Actor.Director.UserId!.Value);
        var nobody = await permissions.ForUserAsync(Guid.NewGuid());

        Assert.Contains("act_on_job_runs", ops);
        Assert.Contains("view_job_runs", director);
        Assert.DoesNotContain("act_on_job_runs", director);
        Assert.Empty(nobody);
    }
}
