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

    [Fact]
    public async Task A_finished_import_run_again_changes_nothing_and_says_so()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var job = new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance);
        var id = await batches.CreateAsync("digital_channels", "d.csv", Csv("Date,Channel,Sessions\n2030-01-01,Email,10\n2030-01-02,Email,11\n"),
            "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await job.RunAsync(id, "digital_channels", "d.csv", CancellationToken.None);
        var before = (await batches.FindAsync(id))!;

        var again = await job.RunAsync(id, "digital_channels", "d.csv", CancellationToken.None); // a re-delivery, or a requeue from the dashboard

        Assert.Equal(before, await batches.FindAsync(id));
        Assert.Equal(("loaded", 2L), (before.Status, before.Inserted!.Value));
        Assert.Equal((ImportStatus.Loaded, 2L, 0L), (again!.Status, again.Inserted, again.Updated));
        Assert.Contains(again.Notes, n => n.Contains("had already finished (loaded", StringComparison.Ordinal) && n.EndsWith("nothing was done again.", StringComparison.Ordinal));
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("select count(*) from digital_channels"));
    }

    [Fact]
    public async Task Batches_whose_worker_died_are_marked_interrupted_and_uploads_queued_again_while_live_ones_are_left_alone()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var job = new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance);
        const string file = "Date,Channel,Sessions\n2030-01-01,Email,10\n2030-01-02,Email,11\n2030-01-03,Email,12\n";
        var upload = await batches.CreateAsync("digital_channels", "up.csv", Csv(file), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        var inbox = await batches.CreateAsync("digital_channels", "in.csv", Csv(file), "inbox", null, "inbox", new ImportOptions(), 1 << 20, CancellationToken.None);
        var live = await batches.CreateAsync("digital_channels", "live.csv", Csv(file), "api", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        foreach (var dead in new[] { upload, inbox })
        {
            // A worker takes the batch and dies: its session (and so its lease) goes with it.
            await using var worker = await batches.TryLeaseAsync(dead, TimeSpan.FromMinutes(1), CancellationToken.None);
            Assert.NotNull(await batches.StartAsync(dead, CancellationToken.None, "dead-host:1"));
        }

        await using var running = await batches.TryLeaseAsync(live, TimeSpan.FromMinutes(1), CancellationToken.None);
        await batches.StartAsync(live, CancellationToken.None, "live-host:2");
        using var storage = new Hangfire.InMemory.InMemoryStorage();
        var recover = new RecoverInterruptedImportsJob(batches, new Hangfire.BackgroundJobClient(storage), NullLogger<RecoverInterruptedImportsJob>.Instance);

        var summary = await recover.RunAsync(new RecoverInterruptedImportsParameters(), CancellationToken.None);
        var again = await recover.RunAsync(new RecoverInterruptedImportsParameters(), CancellationToken.None);

        Assert.Equal((2, 1L), ((int)summary.Details["interrupted"]!, (long)summary.Details["requeued"]!));
        Assert.Equal(0, (int)again.Details["interrupted"]!);
        var requeued = (await batches.FindAsync(upload))!;
        Assert.Equal("queued", requeued.Status);
        Assert.StartsWith("Interrupted: the worker running it (dead-host:1) stopped before it finished", requeued.Message, StringComparison.Ordinal);
        Assert.EndsWith("Queued again (run 2 of at most 3).", requeued.Message, StringComparison.Ordinal);
        Assert.NotNull(requeued.HangfireJobId);
        var left = (await batches.FindAsync(inbox))!;
        Assert.Equal(("interrupted", true), (left.Status, left.Finished)); // its page stops waiting
        Assert.EndsWith("The inbox takes the file again on its next run.", left.Message, StringComparison.Ordinal);
        Assert.Equal("running", (await batches.FindAsync(live))!.Status);

        var rerun = await job.RunAsync(upload, "digital_channels", "up.csv", CancellationToken.None);

        Assert.Equal((ImportStatus.Loaded, 3L), (rerun!.Status, rerun.Inserted));
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(3, await connection.ExecuteScalarAsync<int>("select count(*) from digital_channels"));
    }

    [Fact]
    public async Task A_batch_another_worker_is_running_is_not_run_twice()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var id = await batches.CreateAsync("digital_channels", "e.csv", Csv("Date,Channel,Sessions\n2030-01-01,Email,10\n"),
            "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await using var other = await batches.TryLeaseAsync(id, TimeSpan.FromMinutes(1), CancellationToken.None);

        await Assert.ThrowsAsync<ImportBusyException>(() =>
            new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance).RunAsync(id, "digital_channels", "e.csv", CancellationToken.None));

        Assert.Equal("queued", (await batches.FindAsync(id))!.Status);
    }

    [Fact]
    public async Task Stored_files_of_batches_finished_before_the_retention_are_deleted_and_such_a_batch_is_not_run()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var old = await batches.CreateAsync("digital_channels", "old.csv", Csv("Date,Channel,Sessions\n2030-01-01,Email,10\n"), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        var recent = await batches.CreateAsync("digital_channels", "recent.csv", Csv("Date,Channel,Sessions\n2030-01-01,Email,10\n"), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        var queued = await batches.CreateAsync("digital_channels", "queued.csv", Csv("Date,Channel,Sessions\n2030-01-01,Email,10\n"), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                update worker.import_batches set status = 'failed', created_at = now() - interval '41 days', finished_at = now() - interval '40 days' where id = @old;
                update worker.import_batches set status = 'interrupted', finished_at = now() - interval '10 days' where id = @recent;
                update worker.import_batches set created_at = now() - interval '50 days' where id = @queued;
                """, new { old, recent, queued });
        }

        var summary = await new Worker.Maintenance.PruneImportFilesJob(batches, NullLogger<Worker.Maintenance.PruneImportFilesJob>.Instance).RunAsync(30, CancellationToken.None);
        var rerun = await new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance).RunAsync(old, "digital_channels", "old.csv", CancellationToken.None);

        Assert.Equal((1L, 1L), (summary.RowsRead, summary.RowsWritten));
        await using var check = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(["queued.csv", "recent.csv"], await check.QueryAsync<string>(
            "select b.file_name from worker.import_batches b where exists (select 1 from worker.import_files f where f.batch_id = b.id) order by 1"));
        Assert.Contains(rerun!.Notes, n => n.Contains("was deleted by retention", StringComparison.Ordinal));
        Assert.Equal("failed", (await batches.FindAsync(old))!.Status);
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("select count(*) from digital_channels"));
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
