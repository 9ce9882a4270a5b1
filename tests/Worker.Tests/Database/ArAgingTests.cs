namespace Worker.Tests.Database;

public sealed class ArAgingTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    [Theory]
    [InlineData(-10, "current")]
    [InlineData(0, "current")]
    [InlineData(29, "current")]
    [InlineData(30, "30")]
    [InlineData(59, "30")]
    [InlineData(60, "60")]
    [InlineData(89, "60")]
    [InlineData(90, "90+")]
    [InlineData(400, "90+")]
    public async Task Bucket_boundaries_fall_on_30_60_and_90_days_past_due(int daysPastDue, string bucket)
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);

        var actual = await t.ScalarAsync<string>("select ar_aging_bucket(date '2026-06-30' - @daysPastDue, date '2026-06-30')", new { daysPastDue });

        Assert.Equal(bucket, actual);
    }

    [Fact]
    public async Task Aging_lists_unpaid_amounts_per_bucket_and_leaves_out_paid_invoices()
    {
        await using var t = await RolledBack.BeginAsync(db.DataSource);
        await t.ExecuteAsync(ViewTests.FinanceBasics);
        // Invoice n is due (days) ago; the 59-days one is half paid, the 95-days one fully paid.
        foreach (var (n, days, amount) in new[] { (1, 29, 100m), (2, 30, 200m), (3, 59, 300m), (4, 60, 400m), (5, 90, 500m), (6, 95, 600m) })
        {
            await t.ExecuteAsync("""
                insert into finance_transactions (id, account_id, customer_id, amount, transaction_date, transaction_type, due_date)
                values (md5('inv' || @n)::uuid, '00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0',
                        @amount, current_date - @days - 30, 'invoice', current_date - @days)
                """, new { n, days, amount });
        }

        await t.ExecuteAsync("""
            insert into finance_transactions (account_id, customer_id, amount, transaction_date, transaction_type, invoice_id) values
              ('00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0', 150, current_date, 'payment', md5('inv3')::uuid),
              ('00000000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-0000000000b0', 600, current_date, 'payment', md5('inv6')::uuid);
            """);

        var summary = (await t.QueryAsync<(string Bucket, int Count, decimal Due)>(
            "select bucket, invoice_count, amount_due from v_finance_ar_summary order by sort_order")).ToList();

        Assert.Equal([("current", 1, 100m), ("30", 2, 350m), ("60", 1, 400m), ("90+", 1, 500m)], summary);
    }
}
