using Dapper;
using Worker.Security;

namespace Worker.Benchmarks;

/// <summary>
/// What row-level security costs: a sales user selecting their leads out of 100,000 (1,000 owners,
/// 100 each), the policy doing the filtering, against the baseline of service_role (which bypasses
/// RLS) selecting the same owner's leads with an explicit WHERE on the same index.
/// </summary>
internal static class RlsBenchmark
{
    private const int Owners = 1_000;
    private const int LeadsPerOwner = 100;

    public static async Task RunAsync(BenchmarkDatabase database)
    {
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into sales_stages (id, code, name) values (md5('stage:bench')::uuid, 'bench', 'Bench');
                insert into auth.users (id, email) select md5('bench-user:' || i)::uuid, 'bench' || i || '@example.com' from generate_series(1, @Owners) i;
                update profiles set role_id = md5('role:sales')::uuid;
                set local worker.audit = 'batch';
                insert into sales_leads (owner_id, company, stage_id, expected_value)
                select md5('bench-user:' || (1 + i % @Owners))::uuid, 'Company ' || i, md5('stage:bench')::uuid, i % 50000
                from generate_series(1, @Leads) i;
                analyze;
                """, new { Owners, Leads = Owners * LeadsPerOwner }, commandTimeout: 600);
        }

        var owners = Enumerable.Range(1, Owners).Select(i => Guid.Parse(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes("bench-user:" + i)).AsSpan().ToArray() is var b ? ToUuid(b) : "")).ToArray();

        var baseline = await Measurement.TakeAsync("service_role, WHERE owner_id = $1 (baseline)", 50, 1000, async i =>
        {
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await Impersonation.ActAsAsync(connection, tx, Impersonation.ServiceRole, null);
            var rows = (await connection.QueryAsync<(Guid, string, decimal)>(
                "select id, company, expected_value from sales_leads where owner_id = @Owner", new { Owner = owners[i % Owners] }, tx)).Count();
            Check(rows);
        });

        var rls = await Measurement.TakeAsync("sales user, RLS filters (no WHERE)", 50, 1000, async i =>
        {
            await using var connection = await database.DataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await Impersonation.ActAsUserAsync(connection, tx, owners[i % Owners]);
            var rows = (await connection.QueryAsync<(Guid, string, decimal)>("select id, company, expected_value from sales_leads", transaction: tx)).Count();
            Check(rows);
        });

        Console.WriteLine($"RLS select: {Owners * LeadsPerOwner:N0} leads, {Owners:N0} owners, {LeadsPerOwner} rows per select");
        Console.WriteLine("| case | median ms | p95 ms | iterations |");
        Console.WriteLine("| --- | --- | --- | --- |");
        Console.WriteLine(baseline);
        Console.WriteLine(rls);
        Console.WriteLine($"ratio (median): {rls.MedianMs / baseline.MedianMs:F2}x");
    }

    private static void Check(int rows)
    {
        if (rows != LeadsPerOwner)
        {
            throw new InvalidOperationException($"Expected {LeadsPerOwner} leads, got {rows}: the benchmark would measure the wrong thing.");
        }
    }

    private static string ToUuid(byte[] md5)
    {
        var hex = Convert.ToHexString(md5).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
