using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>docs/csv-samples holds one file per dataset; each must load as the documentation says.</summary>
public sealed class SampleFileTests(SeededDatabase db) : IClassFixture<SeededDatabase>
{
    public static TheoryData<string> DatasetNames => new(Datasets.All.Select(d => d.Name));

    [Theory]
    [MemberData(nameof(DatasetNames))]
    public async Task The_documented_sample_of_each_dataset_loads(string dataset)
    {
        var path = Path.Combine(Worker.Hosting.ContentRoot.Locate(), "docs", "csv-samples", dataset + ".csv");
        await using var file = File.OpenRead(path);

        var result = await new CsvImporter(db.DataSource).ImportAsync(Datasets.Find(dataset)!, file, Path.GetFileName(path),
            new ImportOptions { DryRun = true }, new ImportActor(null, "test"), null, CancellationToken.None);

        Assert.True(result.Status == ImportStatus.Loaded, string.Join("; ", result.Errors.Select(e => e.Describe(path))));
        Assert.True(result.RowsRead > 0);
        Assert.Equal(result.RowsRead, result.Inserted + result.Updated + result.Unchanged);
    }

    [Fact]
    public void The_documentation_names_every_accepted_header()
    {
        var doc = File.ReadAllText(Path.Combine(Worker.Hosting.ContentRoot.Locate(), "docs", "csv-formats.md")).ToLowerInvariant();

        var missing = Datasets.All.SelectMany(d => d.Columns.SelectMany(c => c.Aliases.Select(a => $"{d.Name}.{c.Column}: {a}")))
            .Where(entry => !doc.Contains(entry.Split(": ", 2)[1].Replace(" (usd)", "", StringComparison.Ordinal).Replace(" (eur)", "", StringComparison.Ordinal).Replace(" (gbp)", "", StringComparison.Ordinal), StringComparison.Ordinal))
            .ToList();

        Assert.Empty(missing);
    }
}
