using System.Text;
using Dapper;
using Npgsql;
using Worker.Ingestion.Csv;
using Worker.Kpi;

namespace Worker.Tests.Kpi;

/// <summary>The kpi_targets dataset loaded through the CSV importer into a database with the seed's KPIs.</summary>
public sealed class KpiTargetsImportTests
{
    private static Task<ImportResult> LoadAsync(NpgsqlDataSource dataSource, string csv, ImportOptions? options = null) =>
        new CsvImporter(dataSource).ImportAsync(Datasets.KpiTargets, new MemoryStream(Encoding.UTF8.GetBytes(csv)), "targets.csv",
            options ?? new ImportOptions(), new ImportActor(null, "test"), null, CancellationToken.None);

    private static async Task<List<(string Name, DateOnly From, DateOnly? To, decimal Target, string? Note)>> TargetsAsync(NpgsqlDataSource dataSource, string name)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<(string, DateOnly, DateOnly?, decimal, string?)>("""
            select k.name, t.effective_from, t.effective_to, t.target_value, t.note
            from kpi_targets t join kpi_metrics k on k.id = t.kpi_id where k.name = @name order by t.effective_from
            """, new { name })];
    }

    [Fact]
    public async Task A_targets_file_is_stored_per_period_and_loading_it_again_changes_nothing()
    {
        await using var db = await KpiData.CreateAsync(withData: false);
        const string csv = """
            KPI,Period,Target,Note
            Won value,2026-Q2,"$75,000.00",Q2 plan
            won value,2026-07,80000,
            SLA compliance,2026-01,92.5%,tighter SLA
            """;
        // Explicit dates, no end (a standing target), the KPI by its calculation key.
        const string withDates = """
            KPI,Effective from,Effective to,Target
            marketing_sessions,2026-04-01,,60000
            """;

        var first = await LoadAsync(db.DataSource, csv);
        var dated = await LoadAsync(db.DataSource, withDates);
        var again = await LoadAsync(db.DataSource, csv);

        Assert.Equal((ImportStatus.Loaded, 3L, 0L, 0L), (first.Status, first.Inserted, first.Updated, first.Unchanged));
        Assert.Equal((ImportStatus.Loaded, 1L), (dated.Status, dated.Inserted));
        Assert.Equal((ImportStatus.Loaded, 0L, 0L, 3L), (again.Status, again.Inserted, again.Updated, again.Unchanged));
        var won = await TargetsAsync(db.DataSource, "Won value");
        Assert.Equal([
            ("Won value", new DateOnly(2000, 1, 1), null, 60000m, "development default"),
            ("Won value", new DateOnly(2026, 4, 1), new DateOnly(2026, 6, 30), 75000m, "Q2 plan"),
            ("Won value", new DateOnly(2026, 7, 1), new DateOnly(2026, 7, 31), 80000m, null),
        ], won);
        Assert.Equal(0.925m, (await TargetsAsync(db.DataSource, "SLA compliance")).Single(t => t.From == new DateOnly(2026, 1, 1)).Target);
        Assert.Equal((new DateOnly(2026, 4, 1), (DateOnly?)null, 60000m), (await TargetsAsync(db.DataSource, "Sessions")).Select(t => (t.From, t.To, t.Target)).Last());
        Assert.Contains(first.Notes, n => n.Contains("'Won value': the target of line 3 ends on 2026-07-31", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_rows_are_refused_naming_line_column_and_value_and_nothing_is_written()
    {
        await using var db = await KpiData.CreateAsync(withData: false);
        const string csv = """
            KPI,Period,Target
            Leeds,2026-01,900
            Leads,2026-W05,900
            Leads,2026-02,lots
            Won value,2026-Q1,25%
            Win rate,2026-03,60
            Revenue,2026-Q1,70000
            Revenue,2026-03,72000
            Expenses,2026-13,1
            """;

        var result = await LoadAsync(db.DataSource, csv);

        Assert.Equal(ImportStatus.Rejected, result.Status);
        var errors = result.Errors.Select(e => (e.Line, e.Column, e.Value, e.Reason)).ToList();
        Assert.Contains(errors, e => e is (2, "KPI", "Leeds", _) && e.Reason.StartsWith("is not a known KPI; did you mean 'Leads'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is (3, "Period", "2026-W05", _) && e.Reason.Contains("does not fit the grain of 'Leads' (month)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is (4, "Target", "lots", _) && e.Reason.StartsWith("is not a number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is (5, "Target", "25%", _) && e.Reason.Contains("is a percentage, but 'Won value' is measured in currency", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is (6, "Target", "60", _) && e.Reason.Contains("write 60% or 0.6", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is (8, "Period", "2026-03", _) && e.Reason.Contains("overlaps the period of 'Revenue' on line 7 (2026-Q1)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e is (9, "Period", "2026-13", _) && e.Reason.StartsWith("is not a period", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
        Assert.Contains("targets.csv:2: column 'KPI' value 'Leeds' is not a known KPI", result.Errors[0].Describe(result.FileName), StringComparison.Ordinal);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("select count(*) from kpi_targets where effective_from > '2020-01-01' and note is distinct from 'raised for the new campaign season'"));
    }

    [Fact]
    public async Task A_snapshot_after_the_load_scores_a_closed_past_period_against_its_new_target()
    {
        await using var db = await KpiData.CreateAsync();
        var job = KpiData.SnapshotJob(db.DataSource, new FixedClock(KpiData.March11));
        await job.SnapshotAsync(null, CancellationToken.None);
        var january = new DateOnly(2026, 1, 1);
        var february = new DateOnly(2026, 2, 1);
        var before = (await KpiData.SnapshotsAsync(db.DataSource, "closed", february))["sales_won_value"];

        // February ended on the 28th, outside the 3-day settle window of 11 March: only its new target brings it back.
        var load = await LoadAsync(db.DataSource, "KPI,Period,Target\nWon value,2026-02,3000\n");
        await job.SnapshotAsync(null, CancellationToken.None);
        var after = (await KpiData.SnapshotsAsync(db.DataSource, "closed", february))["sales_won_value"];
        var rerun = await LoadAsync(db.DataSource, "KPI,Period,Target\nWon value,2026-02,3000\n");

        Assert.Equal((60000m, KpiStatuses.Red), (before.Target, before.Status));
        Assert.Equal(1L, load.Inserted);
        Assert.Equal((4000m, 3000m, KpiStatuses.Green, (decimal?)null), (after.Value, after.Target, after.Status, after.RevisedFrom));
        Assert.Equal(60000m, (await KpiData.SnapshotsAsync(db.DataSource, "closed", january))["sales_won_value"].Target); // history keeps January's
        Assert.Equal((1L, 0L, 0L), (rerun.Unchanged, rerun.Inserted, rerun.Updated));
    }

    [Fact]
    public async Task The_sample_file_loads()
    {
        await using var db = await KpiData.CreateAsync(withData: false);
        var csv = await File.ReadAllTextAsync(Path.Combine(Worker.Hosting.ContentRoot.Locate(), "docs", "csv-samples", "kpi_targets.csv"));

        var result = await LoadAsync(db.DataSource, csv);

        Assert.Equal((ImportStatus.Loaded, 3L), (result.Status, result.Inserted));
    }
}
