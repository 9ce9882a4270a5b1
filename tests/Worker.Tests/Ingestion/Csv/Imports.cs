using System.Text;
using Dapper;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>Loading a CSV text through the real importer, and reading back what the table holds.</summary>
internal static class Imports
{
    public static readonly ImportActor Tester = new(null, "import:test");

    public static async Task<ImportResult> LoadAsync(ScratchDatabase db, Dataset dataset, string csv, ImportOptions? options = null, Encoding? encoding = null)
    {
        var bytes = (encoding ?? new UTF8Encoding(false)).GetPreamble().Concat((encoding ?? new UTF8Encoding(false)).GetBytes(csv)).ToArray();
        return await new CsvImporter(db.DataSource).ImportAsync(dataset, new MemoryStream(bytes), "export.csv", options ?? new ImportOptions(), Tester, null,
            CancellationToken.None, reopen: () => new MemoryStream(bytes));
    }

    /// <summary>The importer's refusal of a whole file (the exception's message).</summary>
    public static async Task<string> RefusalAsync(ScratchDatabase db, Dataset dataset, string csv, ImportOptions? options = null) =>
        (await Assert.ThrowsAsync<ImportRejectedException>(() => LoadAsync(db, dataset, csv, options))).Message;

    public static async Task<T> ScalarAsync<T>(ScratchDatabase db, string sql)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    /// <summary>The rows as "a|b|c" lines, nulls as ∅, in the query's order.</summary>
    public static async Task<string[]> RowsAsync(ScratchDatabase db, string sql)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync(sql);
        return [.. rows.Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values.Select(v => v is null ? "∅" : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))))];
    }

    public static async Task ExecuteAsync(ScratchDatabase db, string sql)
    {
        await using var connection = await db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql);
    }

    public static string Describe(ImportResult result) => string.Join("; ", result.Errors.Select(e => e.Describe("f")).Concat(result.Notes));
}
