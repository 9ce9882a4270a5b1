namespace Worker.Tests.Database;

public sealed class OpsClosedAtTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    private const string Statuses = """
        insert into ops_ticket_statuses (id, code, name, sequence, is_closed) values
          ('00000000-0000-0000-0000-0000000000e1', 'open', 'Open', 1, false),
          ('00000000-0000-0000-0000-0000000000e2', 'resolved', 'Resolved', 2, true),
          ('00000000-0000-0000-0000-0000000000e3', 'closed', 'Closed', 3, true);
        """;

    private const string Open = "'00000000-0000-0000-0000-0000000000e1'";
    private const string Resolved = "'00000000-0000-0000-0000-0000000000e2'";
    private const string Closed = "'00000000-0000-0000-0000-0000000000e3'";
    private const string Ticket = "'00000000-0000-0000-0000-000000000777'";

    [Fact]
    public async Task Closing_an_open_ticket_sets_closed_at_to_now()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(Statuses + $"insert into ops_tickets (id, subject, status_id, created_at) values ({Ticket}, 'T', {Open}, now() - interval '1 day');");
        Assert.Null(await t.ScalarAsync<DateTime?>($"select closed_at from ops_tickets where id = {Ticket}"));

        await t.ExecuteAsync($"update ops_tickets set status_id = {Resolved} where id = {Ticket}");

        Assert.True(await t.ScalarAsync<bool>($"select closed_at = now() from ops_tickets where id = {Ticket}"));
    }

    [Fact]
    public async Task Moving_between_closed_statuses_keeps_the_first_closed_at()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(Statuses + $"""
            insert into ops_tickets (id, subject, status_id, created_at, closed_at)
            values ({Ticket}, 'T', {Resolved}, '2026-01-01 10:00+00', '2026-01-01 12:00+00');
            """);

        await t.ExecuteAsync($"update ops_tickets set status_id = {Closed} where id = {Ticket}");

        Assert.True(await t.ScalarAsync<bool>($"select closed_at = '2026-01-01 12:00+00' from ops_tickets where id = {Ticket}"));
    }

    [Fact]
    public async Task Reopening_clears_closed_at_and_every_move_is_logged()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(Statuses + $"insert into ops_tickets (id, subject, status_id) values ({Ticket}, 'T', {Resolved});");
        Assert.True(await t.ScalarAsync<bool>($"select closed_at = now() from ops_tickets where id = {Ticket}")); // inserted closed

        await t.ExecuteAsync($"update ops_tickets set status_id = {Open} where id = {Ticket}");
        await t.ExecuteAsync($"update ops_tickets set subject = 'renamed' where id = {Ticket}");

        Assert.Null(await t.ScalarAsync<DateTime?>($"select closed_at from ops_tickets where id = {Ticket}"));
        var moves = await t.QueryAsync<(string? From, string To)>($"""
            select f.code, s.code from ops_ticket_transitions tr
            left join ops_ticket_statuses f on f.id = tr.from_status_id
            join ops_ticket_statuses s on s.id = tr.to_status_id
            where tr.ticket_id = {Ticket} order by tr.changed_at, f.code nulls first
            """);
        Assert.Equal([(null, "resolved"), ("resolved", "open")], moves);
    }

    [Fact]
    public async Task An_open_ticket_cannot_carry_a_closed_at()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(Statuses + $"insert into ops_tickets (id, subject, status_id, closed_at) values ({Ticket}, 'T', {Open}, now());");

        Assert.Null(await t.ScalarAsync<DateTime?>($"select closed_at from ops_tickets where id = {Ticket}"));
    }
}
