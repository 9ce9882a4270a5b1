using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Worker.Hosting;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

public sealed class InboxJobTests
{
    private static readonly InboxParameters Channels = new() { Dataset = "digital_channels", Folder = "inbox/channels", SettleSeconds = 0 };

    internal static InboxJob Job(ScratchDatabase db, string root)
    {
        var batches = new ImportBatches(db.DataSource);
        return new InboxJob(batches, new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance),
            Options.Create(new ImportsOptions()), new ContentRootPath(root), db.DataSource, NullLogger<InboxJob>.Instance);
    }

    private static string NewInbox(out string root)
    {
        root = Directory.CreateTempSubdirectory("inbox-").FullName;
        return Directory.CreateDirectory(Path.Combine(root, "inbox", "channels")).FullName;
    }

    private static string Rows(int count) =>
        "Date,Channel,Sessions\n" + string.Concat(Enumerable.Range(0, count).Select(i => $"2030-01-01,Channel {i},{i}\n"));

    [Fact]
    public async Task Links_pipes_sockets_and_hard_links_are_skipped_and_reported_never_read()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var inbox = NewInbox(out var root);
        var outside = Directory.CreateTempSubdirectory("outside-").FullName;
        var secret = Path.Combine(outside, "shadow");
        File.WriteAllText(secret, "root:$6$secret-hash:19000:0:99999:7:::\n");
        var foreignCsv = Path.Combine(outside, "foreign.csv");
        File.WriteAllText(foreignCsv, "Date,Channel,Sessions\n2030-01-01,Foreign,666\n");
        File.CreateSymbolicLink(Path.Combine(inbox, "shadow.csv"), secret);
        File.CreateSymbolicLink(Path.Combine(inbox, "foreign.csv"), foreignCsv);
        Exec("ln", foreignCsv, Path.Combine(inbox, "hardlinked.csv"));
        Exec("mkfifo", Path.Combine(inbox, "pipe.csv"));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(inbox, "socket.csv")));
        File.WriteAllText(Path.Combine(inbox, "good.csv"), "Date,Channel,Sessions\n2030-01-01,Email,10\n");
        try
        {
            // A pipe that were opened would block this run for ever: the run must end on its own.
            var summary = await Job(db, root).RunAsync(Channels, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal((1L, 5), ((long)summary.Details["files"]!, (int)summary.Details["skipped"]!));
            var skipped = string.Join("\n", (List<string>)summary.Details["skippedFiles"]!);
            Assert.Contains("shadow.csv: a symbolic link", skipped, StringComparison.Ordinal);
            Assert.Contains("foreign.csv: a symbolic link", skipped, StringComparison.Ordinal);
            Assert.Contains("hardlinked.csv: a file with other hard links", skipped, StringComparison.Ordinal);
            Assert.Contains("pipe.csv: a named pipe (FIFO)", skipped, StringComparison.Ordinal);
            Assert.Contains("socket.csv: a socket", skipped, StringComparison.Ordinal);
            await using var connection = await db.DataSource.OpenConnectionAsync();
            Assert.Equal(["good.csv loaded"], await connection.QueryAsync<string>("select file_name || ' ' || status from worker.import_batches"));
            Assert.Equal(["Email"], await connection.QueryAsync<string>("select channel_name from digital_channels"));
            Assert.True(File.Exists(Path.Combine(inbox, "shadow.csv")) && File.Exists(secret)); // left where they are, untouched
            Assert.False(Directory.EnumerateFiles(Path.Combine(inbox, "rejected")).Any());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_still_being_written_is_left_for_a_later_run()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var inbox = NewInbox(out var root);
        var growing = Path.Combine(inbox, "growing.csv");
        File.WriteAllText(growing, Rows(1_000)); // written just now: its writer may not be done
        File.WriteAllText(Path.Combine(inbox, "growing.csv.tmp"), Rows(10)); // write-then-rename: not yet renamed
        File.WriteAllText(Path.Combine(inbox, ".partial.csv"), Rows(10));
        try
        {
            var summary = await Job(db, root).RunAsync(Channels with { SettleSeconds = 600 }, CancellationToken.None);

            Assert.Equal((0L, 1), ((long)summary.Details["files"]!, (int)summary.Details["waiting"]!));
            Assert.True(File.Exists(growing));
            await using var connection = await db.DataSource.OpenConnectionAsync();
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from worker.import_batches"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_that_grows_while_it_is_read_is_not_taken()
    {
        var folder = Directory.CreateTempSubdirectory("inbox-").FullName;
        var path = Path.Combine(folder, "growing.csv");
        File.WriteAllText(path, Rows(10));
        try
        {
            var entry = InboxFile.Inspect(path);
            await using var stream = InboxFile.OpenRead(path, entry)!;
            File.AppendAllText(path, "2030-01-02,Late,1\n"); // the writer is not done

            await Assert.ThrowsAsync<InboxFileChangedException>(() => stream.CopyToAsync(Stream.Null));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Two_runs_at_once_import_a_file_once()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var inbox = NewInbox(out var root);
        File.WriteAllText(Path.Combine(inbox, "big.csv"), Rows(50_000));
        try
        {
            var runs = await Task.WhenAll(Job(db, root).RunAsync(Channels, CancellationToken.None), Job(db, root).RunAsync(Channels, CancellationToken.None));

            Assert.Equal(1L, runs.Sum(r => (long)r.Details["files"]!));
            await using var connection = await db.DataSource.OpenConnectionAsync();
            Assert.Equal(["big.csv loaded 50000"], await connection.QueryAsync<string>("select file_name || ' ' || status || ' ' || inserted from worker.import_batches"));
            Assert.Equal(50_000, await connection.ExecuteScalarAsync<int>("select count(*) from digital_channels"));
            Assert.True(File.Exists(Path.Combine(inbox, "processed", "big.csv")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_the_datasets_shows_only_a_short_printable_excerpt_of_its_first_line()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var inbox = NewInbox(out var root);
        var wide = "root:$6$secret\u0007\u001b[2J," + string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"column{i}"));
        File.WriteAllText(Path.Combine(inbox, "secret.csv"), wide + "\n1,2\n");
        try
        {
            await Job(db, root).RunAsync(Channels, CancellationToken.None);

            await using var connection = await db.DataSource.OpenConnectionAsync();
            var message = await connection.ExecuteScalarAsync<string>("select message from worker.import_batches");
            Assert.StartsWith("Missing required column(s)", message, StringComparison.Ordinal);
            Assert.Contains("Found: 'root:$6$secret??[2J', 'column0',", message, StringComparison.Ordinal);
            Assert.Contains("and 99989 more.", message, StringComparison.Ordinal);
            Assert.True(message!.Length < 1_000, $"{message.Length} characters");
            Assert.True(new FileInfo(Path.Combine(inbox, "rejected", "secret.csv.errors.csv")).Length < 2_000);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Exec(string command, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(command, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Each_file_is_imported_then_moved_to_processed_or_to_rejected_with_its_error_report()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var root = Directory.CreateTempSubdirectory("inbox-").FullName;
        var inbox = Directory.CreateDirectory(Path.Combine(root, "inbox", "channels")).FullName;
        File.WriteAllText(Path.Combine(inbox, "good.csv"), "Date,Channel,Sessions\n2030-01-01,Email,10\n");
        File.WriteAllText(Path.Combine(inbox, "bad.csv"), "Date,Channel,Sessions\n2030-01-02,Email,lots\n");
        File.WriteAllText(Path.Combine(inbox, "notes.txt"), "not a csv: left alone");
        var job = Job(db, root);

        try
        {
            var summary = await job.RunAsync(Channels, CancellationToken.None);
            var again = await job.RunAsync(Channels, CancellationToken.None);

            Assert.Equal((2L, 1L), ((long)summary.Details["files"]!, (long)summary.Details["filesWithErrors"]!));
            Assert.Equal(0L, (long)again.Details["files"]!);
            Assert.True(File.Exists(Path.Combine(inbox, "processed", "good.csv")));
            Assert.True(File.Exists(Path.Combine(inbox, "rejected", "bad.csv")));
            Assert.Contains("bad.csv,2,Sessions,lots,is not a number", File.ReadAllText(Path.Combine(inbox, "rejected", "bad.csv.errors.csv")), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(inbox, "notes.txt")));
            await using var connection = await db.DataSource.OpenConnectionAsync();
            Assert.Equal(["bad.csv rejected inbox", "good.csv loaded inbox"],
                await connection.QueryAsync<string>("select file_name || ' ' || status || ' ' || source from worker.import_batches order by file_name"));
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from worker.import_files"));
            Assert.Equal(10, await connection.ExecuteScalarAsync<int>("select visits from digital_channels"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
