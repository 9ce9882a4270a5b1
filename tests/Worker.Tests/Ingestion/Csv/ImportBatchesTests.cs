using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

public sealed class ImportBatchesTests
{
    private static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task A_file_over_the_limit_is_refused_while_it_streams_in_and_nothing_is_kept()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var big = new MemoryStream(new byte[3 * ImportBatches.ChunkBytes]);

        var error = await Assert.ThrowsAsync<FileTooLargeException>(() =>
            batches.CreateAsync("digital_channels", "big.csv", big, "api", null, "tester", new ImportOptions(), 2L * ImportBatches.ChunkBytes, CancellationToken.None));

        Assert.Equal("The file is larger than the limit of 2 MiB.", error.Message);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select (select count(*) from worker.import_batches) + (select count(*) from worker.import_files)"));
    }

    [Fact]
    public async Task The_same_file_uploaded_again_is_recognised_and_changes_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var job = new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance);
        const string file = "Date,Channel,Sessions\n2030-01-01,Email,10\n";

        var first = await batches.CreateAsync("digital_channels", "a.csv", Csv(file), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await job.RunAsync(first, "digital_channels", "a.csv", CancellationToken.None);
        var second = await batches.CreateAsync("digital_channels", "a-again.csv", Csv(file), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        var result = await job.RunAsync(second, "digital_channels", "a-again.csv", CancellationToken.None);

        var again = (await batches.FindAsync(second))!;
        Assert.Equal(first, again.SameFileAs);
        Assert.Equal((0L, 0L, 1L), (result!.Inserted, result.Updated, result.Unchanged));
        Assert.Equal((first.ToString(), 64), ((await batches.FindAsync(first))!.Id.ToString(), again.Sha256.Length));
    }

    [Fact]
    public async Task A_load_interrupted_half_way_through_the_file_leaves_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var bytes = Encoding.UTF8.GetBytes("Date,Channel,Sessions\n" + string.Concat(Enumerable.Range(0, 20_000).Select(i => $"2030-01-01,Channel {i},{i}\n")));
        using var stop = new CancellationTokenSource();
        // The worker is stopped once half the file has been read: rows are already on their way to PostgreSQL.
        var stream = new CancelAfterStream(new MemoryStream(bytes), bytes.Length / 2, stop);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new CsvImporter(db.DataSource).ImportAsync(
            Datasets.DigitalChannels, stream, "big.csv", new ImportOptions(), new ImportActor(null, "test"), null, stop.Token));

        Assert.True(stream.BytesRead >= bytes.Length / 2);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from digital_channels"));
    }

    [Fact]
    public async Task A_batch_whose_worker_died_runs_again_from_the_stored_file()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var job = new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance);
        var id = await batches.CreateAsync("digital_channels", "c.csv", Csv("Date,Channel,Sessions\n2030-01-01,Email,10\n2030-01-02,Email,11\n"),
            "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await batches.StartAsync(id, CancellationToken.None); // the worker that took it died here

        var rerun = await job.RunAsync(id, "digital_channels", "c.csv", CancellationToken.None);

        Assert.Equal(2L, rerun!.Inserted);
        Assert.Equal("loaded", (await batches.FindAsync(id))!.Status);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from worker.import_files where batch_id = @id", new { id }));
    }

    /// <summary>Reads through, then fires the token once a number of bytes has gone past.</summary>
    private sealed class CancelAfterStream(Stream inner, long bytes, CancellationTokenSource stop) : ReadOnlyStream
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, Math.Min(count, 4096));
            BytesRead += n;
            if (BytesRead >= bytes)
            {
                stop.Cancel();
            }

            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var chunk = new byte[Math.Min(buffer.Length, 4096)];
            var n = Read(chunk, 0, chunk.Length);
            chunk.AsMemory(0, n).CopyTo(buffer);
            return ValueTask.FromResult(n);
        }
    }
}
