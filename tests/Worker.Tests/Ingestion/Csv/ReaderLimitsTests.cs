using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Ingestion.Csv;
using static Worker.Tests.Ingestion.Csv.Imports;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>
/// Hostile or damaged input (issue #13 item 10): a NUL anywhere and an enormous field are bad input,
/// refused with line and column by the reader; the batch ends rejected (never failed and retried).
/// </summary>
public sealed class ReaderLimitsTests
{
    private static string RowsPast64KiB(out int nextLine)
    {
        var csv = new StringBuilder("Date,Channel,Sessions\n");
        var line = 2;
        for (; csv.Length < 100 * 1024; line++)
        {
            csv.Append("2026-01-01,Channel ").Append(line).Append(",1\n");
        }

        nextLine = line;
        return csv.ToString();
    }

    [Fact]
    public async Task A_NUL_after_the_first_64_KiB_refuses_the_file_naming_line_and_column()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var csv = RowsPast64KiB(out var line) + "2026-01-02,Bad\0Channel,1\n2026-01-03,Fine,1\n";

        var message = await RefusalAsync(db, Datasets.DigitalChannels, csv);

        Assert.Equal($"Line {line}, column 'Channel': the file contains a NUL character (byte 0x00), which a text CSV export never has; the file is damaged or not a CSV export.", message);
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Fact]
    public async Task A_NUL_in_a_column_the_dataset_ignores_is_refused_too()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var csv = RowsPast64KiB(out var line).Replace("Date,Channel,Sessions\n", "Date,Channel,Sessions,Comment\n", StringComparison.Ordinal) + "2026-01-02,A,1,\"multi\nline\0\"\n";

        var message = await RefusalAsync(db, Datasets.DigitalChannels, csv);

        Assert.StartsWith($"Line {line + 1}, column 'Comment': the file contains a NUL character", message);
    }

    [Fact]
    public async Task A_50_MB_field_is_refused_after_reading_little_more_than_the_cap()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await using var file = new GeneratedCsv("Date,Channel,Sessions\n2026-01-01,A,1\n2026-01-02,\"", 'x', 50L * 1024 * 1024, "\",2\n");

        var error = await Assert.ThrowsAsync<ImportRejectedException>(() =>
            new CsvImporter(db.DataSource).ImportAsync(Datasets.DigitalChannels, file, "huge.csv", new ImportOptions(), Tester, null, CancellationToken.None));

        Assert.Equal("Line 3, column 'Channel': a field is longer than 1,048,576 characters (Imports:MaxFieldKilobytes); no real export has such a cell, the file is probably damaged (an unclosed quote?).", error.Message);
        Assert.InRange(file.Served, 1L << 20, 4L << 20); // stopped at the cap: memory stays bounded
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    [Fact]
    public async Task The_import_job_records_such_a_file_as_rejected_with_its_line_and_does_not_throw_for_a_retry()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var importer = new CsvImporter(db.DataSource, Microsoft.Extensions.Options.Options.Create(new ImportsOptions { MaxFieldKilobytes = 64 }));
        var job = new ImportJob(batches, importer, NullLogger<ImportJob>.Instance);
        Guid huge, nul;
        await using (var file = new GeneratedCsv("Date,Channel,Sessions\n2026-01-01,\"", 'y', 3L * 1024 * 1024, "\",2\n"))
        {
            huge = await batches.CreateAsync("digital_channels", "huge.csv", file, "api", null, "tester", new ImportOptions(), 16L << 20, CancellationToken.None);
        }

        await using (var file = new MemoryStream(Encoding.UTF8.GetBytes(RowsPast64KiB(out var line) + "2026-01-02,A,1\0\n")))
        {
            nul = await batches.CreateAsync("digital_channels", "nul.csv", file, "api", null, "tester", new ImportOptions(), 16L << 20, CancellationToken.None);
        }

        var hugeResult = await job.RunAsync(huge, "digital_channels", "huge.csv", CancellationToken.None);
        var nulResult = await job.RunAsync(nul, "digital_channels", "nul.csv", CancellationToken.None);

        Assert.Null(hugeResult);
        Assert.Null(nulResult);
        var hugeBatch = (await batches.FindAsync(huge))!;
        var nulBatch = (await batches.FindAsync(nul))!;
        Assert.Equal(("rejected", "rejected"), (hugeBatch.Status, nulBatch.Status));
        Assert.StartsWith("Line 2, column 'Channel': a field is longer than 65,536 characters", hugeBatch.Message);
        Assert.Contains("column 'Sessions': the file contains a NUL character", nulBatch.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(db, "select count(*) from digital_channels"));
    }

    /// <summary>A CSV of a head, one character repeated, and a tail, produced as it is read (never whole in memory).</summary>
    private sealed class GeneratedCsv(string head, char fill, long fillLength, string tail) : ReadOnlyStream
    {
        private readonly byte[] _head = Encoding.ASCII.GetBytes(head);
        private readonly byte[] _tail = Encoding.ASCII.GetBytes(tail);

        public long Served { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var span = buffer.Span;
            var total = _head.Length + fillLength + _tail.Length;
            var n = 0;
            while (n < span.Length && Served < total)
            {
                span[n++] = Served < _head.Length ? _head[Served]
                    : Served < _head.Length + fillLength ? (byte)fill
                    : _tail[Served - _head.Length - fillLength];
                Served++;
            }

            return ValueTask.FromResult(n);
        }
    }
}
