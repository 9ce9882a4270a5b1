using Dapper;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>The datasets' declared column types are the tables' own, so every COPY writes a value as its column's type.</summary>
public sealed class DatasetSchemaTests(MigratedDatabase db) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task Every_dataset_column_declares_the_type_its_table_has()
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var actual = (await connection.QueryAsync<(string Table, string Column, string Type)>("""
            select c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
            from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped
            """)).ToDictionary(r => (r.Table, r.Column), r => r.Type);

        var declared = Datasets.All.SelectMany(d => d.Columns.Select(c => (d.Table, c.Column, Type: c.IsCampaignReference ? "uuid" : c.SqlType)));

        Assert.All(declared, c => Assert.Equal(c.Type, actual[(c.Table, c.Column)].Replace(", ", ",", StringComparison.Ordinal)));
    }
}
