using System.Text;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Worker.Ingestion.Csv;
using Worker.Tests.Hosting;

namespace Worker.Tests.Ingestion.Csv;

/// <summary>
/// Re-running an interrupted batch, and the import's data and bookkeeping committing together: a
/// worker dying at any point leaves either the rows and "loaded", or neither.
/// </summary>
public sealed class ImportRerunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private const string File3 = "Date,Channel,Sessions\n2030-01-01,Email,10\n2030-01-02,Email,11\n2030-01-03,Email,12\n";

    private static MemoryStream Csv(string text) => new(Encoding.UTF8.GetBytes(text));

    private static ImportJob Job(ScratchDatabase db, ImportBatches batches) => new(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance);

    /// <summary>A batch a dead worker left, as interrupted-imports marks it.</summary>
    private static async Task<Guid> InterruptedAsync(ScratchDatabase db, ImportBatches batches, string fileName, string content = File3)
    {
        var id = await batches.CreateAsync("digital_channels", fileName, Csv(content), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await using (await batches.TryLeaseAsync(id, TimeSpan.FromMinutes(1), CancellationToken.None))
        {
            await batches.StartAsync(id, CancellationToken.None, "dead-host:1"); // the worker dies here: its session and lease go
        }

        Assert.Single(await batches.MarkInterruptedAsync(TimeSpan.FromMinutes(5), CancellationToken.None));
        return id;
    }

    [Fact]
    public async Task When_the_batch_bookkeeping_fails_the_rows_of_the_load_are_rolled_back_with_it()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var id = await batches.CreateAsync("digital_channels", "f.csv", Csv(File3), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await using var connection = await db.DataSource.OpenConnectionAsync();
        // Recording the batch as loaded fails (as a lost connection or a full disk would at that moment).
        await connection.ExecuteAsync("""
            create function fail_loaded() returns trigger language plpgsql as $$
            begin raise exception 'bookkeeping failed'; end $$;
            create trigger fail_loaded before update on worker.import_batches for each row when (new.status = 'loaded') execute function fail_loaded();
            """);

        var error = await Assert.ThrowsAsync<PostgresException>(() => Job(db, batches).RunAsync(id, "digital_channels", "f.csv", CancellationToken.None));

        Assert.Contains("bookkeeping failed", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from digital_channels")); // no rows without their record
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from public.audit_logs where record_id = 'import-batch:' || @id", new { id = id.ToString() }));
        var batch = (await batches.FindAsync(id))!;
        Assert.Equal("failed", batch.Status);
        Assert.Null(batch.Inserted);
        Assert.True(await connection.ExecuteScalarAsync<bool>("select exists (select 1 from worker.import_files where batch_id = @id)", new { id })); // kept to run again
    }

    [Fact]
    public async Task An_interrupted_batch_is_queued_again_on_request_and_its_re_run_loads_it_exactly_once()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var id = await InterruptedAsync(db, batches, "r.csv");
        using var storage = new Hangfire.InMemory.InMemoryStorage();
        var rerun = new ImportRerun(batches, new Hangfire.BackgroundJobClient(storage), NullLogger<ImportRerun>.Instance);

        var queued = await rerun.QueueAsync(id, "marketing@example.com", CancellationToken.None);
        var twice = await rerun.QueueAsync(id, "marketing@example.com", CancellationToken.None);
        var batch = (await batches.FindAsync(id))!;
        var loaded = await Job(db, batches).RunAsync(id, "digital_channels", "r.csv", CancellationToken.None);
        var afterwards = await rerun.QueueAsync(id, "marketing@example.com", CancellationToken.None);

        Assert.Equal((true, 202), (queued.Accepted, queued.StatusCode));
        Assert.Equal("queued", batch.Status);
        Assert.Contains("Re-run requested by marketing@example.com", batch.Message, StringComparison.Ordinal);
        Assert.NotNull(batch.HangfireJobId);
        Assert.Equal((false, 409), (twice.Accepted, twice.StatusCode));
        Assert.Contains("already waiting for a worker", twice.Message, StringComparison.Ordinal);
        Assert.Equal((ImportStatus.Loaded, 3L), (loaded!.Status, loaded.Inserted));
        Assert.Equal((false, 409), (afterwards.Accepted, afterwards.StatusCode));
        Assert.Contains("a finished import is final", afterwards.Message, StringComparison.Ordinal);
        var final = (await batches.FindAsync(id))!;
        Assert.Equal(("loaded", 3L, 2), (final.Status, final.Inserted!.Value, final.Attempts));
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal((3L, 33L), await connection.QuerySingleAsync<(long, long)>("select count(*), sum(visits)::bigint from digital_channels"));
    }

    [Fact]
    public async Task Re_running_a_batch_whose_rows_another_load_already_wrote_changes_no_row_and_doubles_none()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var id = await InterruptedAsync(db, batches, "first.csv");
        // Meanwhile the same file was loaded again by another way in (the inbox took it again, or it was uploaded again).
        var other = await batches.CreateAsync("digital_channels", "again.csv", Csv(File3), "inbox", null, "inbox", new ImportOptions(), 1 << 20, CancellationToken.None);
        await Job(db, batches).RunAsync(other, "digital_channels", "again.csv", CancellationToken.None);
        using var storage = new Hangfire.InMemory.InMemoryStorage();

        Assert.True((await new ImportRerun(batches, new Hangfire.BackgroundJobClient(storage), NullLogger<ImportRerun>.Instance).QueueAsync(id, "ops", CancellationToken.None)).Accepted);
        var result = await Job(db, batches).RunAsync(id, "digital_channels", "first.csv", CancellationToken.None);

        Assert.Equal((ImportStatus.Loaded, 0L, 0L, 3L), (result!.Status, result.Inserted, result.Updated, result.Unchanged));
        await using var connection = await db.DataSource.OpenConnectionAsync();
        Assert.Equal([("Email", new DateOnly(2030, 1, 1), 10L), ("Email", new DateOnly(2030, 1, 2), 11L), ("Email", new DateOnly(2030, 1, 3), 12L)],
            await connection.QueryAsync<(string, DateOnly, long)>("select channel_name, report_date, visits from digital_channels order by report_date"));
    }

    [Fact]
    public async Task A_batch_that_is_not_interrupted_or_whose_file_was_pruned_is_refused_with_the_reason()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var batches = new ImportBatches(db.DataSource);
        var loaded = await batches.CreateAsync("digital_channels", "done.csv", Csv(File3), "upload", null, "tester", new ImportOptions(), 1 << 20, CancellationToken.None);
        await Job(db, batches).RunAsync(loaded, "digital_channels", "done.csv", CancellationToken.None);
        var pruned = await InterruptedAsync(db, batches, "pruned.csv", File3.Replace("Email", "Pruned", StringComparison.Ordinal));
        await using (var connection = await db.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update worker.import_batches set finished_at = now() - interval '40 days' where id = @pruned", new { pruned });
        }

        await batches.PruneFilesAsync(TimeSpan.FromDays(30), CancellationToken.None);
        var before = await batches.FindAsync(loaded);
        using var storage = new Hangfire.InMemory.InMemoryStorage();
        var rerun = new ImportRerun(batches, new Hangfire.BackgroundJobClient(storage), NullLogger<ImportRerun>.Instance);

        var final = await rerun.QueueAsync(loaded, "tester", CancellationToken.None);
        var gone = await rerun.QueueAsync(pruned, "tester", CancellationToken.None);
        var unknown = await rerun.QueueAsync(Guid.NewGuid(), "tester", CancellationToken.None);

        Assert.Equal((false, 409), (final.Accepted, final.StatusCode));
        Assert.Contains("done.csv has finished (loaded", final.Message, StringComparison.Ordinal);
        Assert.Equal(before, await batches.FindAsync(loaded)); // a finished batch stays as it was
        Assert.Equal((false, 410), (gone.Accepted, gone.StatusCode));
        Assert.Contains("was deleted by retention", gone.Message, StringComparison.Ordinal);
        Assert.Equal("interrupted", (await batches.FindAsync(pruned))!.Status);
        Assert.Equal((false, 404), (unknown.Accepted, unknown.StatusCode));
    }

    [Fact]
    public async Task A_worker_killed_after_writing_the_rows_but_before_committing_them_leaves_neither_rows_nor_loaded_and_import_rerun_loads_them()
    {
        const int rows = 20_000;
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var folder = Directory.CreateTempSubdirectory("rerun-").FullName;
        var file = Path.Combine(folder, "kill.csv");
        await File.WriteAllTextAsync(file, "Date,Channel,Sessions\n" + string.Concat(Enumerable.Range(0, rows).Select(i => $"2030-01-01,Channel {i},{i}\n")));
        await using var gate = await db.DataSource.OpenConnectionAsync();
        // The worker's write of the batch's "loaded" waits on a lock this test holds: the process is then
        // stopped with its rows written and their bookkeeping not yet (the gap the old code had after its commit).
        await gate.ExecuteAsync("""
            create function gate_loaded() returns trigger language plpgsql as $$
            begin perform pg_advisory_xact_lock_shared(640, 1); return new; end $$;
            create trigger gate_loaded before update on worker.import_batches for each row when (new.status = 'loaded') execute function gate_loaded();
            select pg_advisory_lock(640, 1);
            """);
        try
        {
            await using (var doomed = WorkerProcess.Start(db.ConnectionString, null, "import", "digital_channels", file))
            {
                await WaitForAsync(db.DataSource, "select exists (select 1 from pg_locks where locktype = 'advisory' and classid = 640 and objid = 1 and not granted)");
                await doomed.KillAsync(); // kill -9, between the rows and the record of loading them
            }

            await gate.ExecuteAsync("select pg_advisory_unlock(640, 1); drop trigger gate_loaded on worker.import_batches");
            await WaitForAsync(db.DataSource, "select not exists (select 1 from pg_stat_activity where datname = current_database() and application_name = 'etl-kpi-worker')");

            var batches = new ImportBatches(db.DataSource);
            Assert.Equal(0, await gate.ExecuteScalarAsync<long>("select count(*) from digital_channels"));
            var interrupted = Assert.Single(await batches.MarkInterruptedAsync(TimeSpan.FromMinutes(5), CancellationToken.None));

            await using var rerun = WorkerProcess.Start(db.ConnectionString, null, "import-rerun", interrupted.Id.ToString());
            var exit = await rerun.WaitForExitAsync(Timeout);
            await using var again = WorkerProcess.Start(db.ConnectionString, null, "import-rerun", interrupted.Id.ToString());
            var exitAgain = await again.WaitForExitAsync(Timeout);

            Assert.True(exit == 0, rerun.StandardOutput + rerun.StandardError);
            Assert.Contains($"kill.csv → digital_channels: loaded. {rows} rows read, {rows} inserted, 0 updated", rerun.StandardOutput, StringComparison.Ordinal);
            Assert.Equal(1, exitAgain);
            Assert.Contains("a finished import is final", again.StandardOutput, StringComparison.Ordinal);
            Assert.Equal((rows, (long)rows * (rows - 1) / 2), await gate.QuerySingleAsync<(long, long)>("select count(*), sum(visits)::bigint from digital_channels"));
            var batch = (await batches.FindAsync(interrupted.Id))!;
            Assert.Equal(("loaded", (long?)rows, 2), (batch.Status, batch.Inserted, batch.Attempts));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Import_rerun_refuses_what_is_not_a_batch_id()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        await using var process = WorkerProcess.Start(db.ConnectionString, null, "import-rerun", "not-a-uuid");

        Assert.Equal(2, await process.WaitForExitAsync(Timeout));
        Assert.Contains("'not-a-uuid' is not an import batch id", process.StandardOutput, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(NpgsqlDataSource dataSource, string condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        await using var connection = await dataSource.OpenConnectionAsync();
        while (!await connection.ExecuteScalarAsync<bool>(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {Timeout} for: {condition}");
            }

            await Task.Delay(50);
        }
    }
}
