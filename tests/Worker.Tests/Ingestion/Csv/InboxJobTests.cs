using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Worker.Hosting;
using Worker.Ingestion.Csv;

namespace Worker.Tests.Ingestion.Csv;

public sealed class InboxJobTests
{
    [Fact]
    public async Task Each_file_is_imported_then_moved_to_processed_or_to_rejected_with_its_error_report()
    {
        await using var db = await ScratchDatabase.CreateAsync(DatabaseContent.Migrated);
        var root = Directory.CreateTempSubdirectory("inbox-").FullName;
        var inbox = Directory.CreateDirectory(Path.Combine(root, "inbox", "channels")).FullName;
        File.WriteAllText(Path.Combine(inbox, "good.csv"), "Date,Channel,Sessions\n2030-01-01,Email,10\n");
        File.WriteAllText(Path.Combine(inbox, "bad.csv"), "Date,Channel,Sessions\n2030-01-02,Email,lots\n");
        File.WriteAllText(Path.Combine(inbox, "notes.txt"), "not a csv: left alone");
        var batches = new ImportBatches(db.DataSource);
        var job = new InboxJob(batches, new ImportJob(batches, new CsvImporter(db.DataSource), NullLogger<ImportJob>.Instance),
            Options.Create(new ImportsOptions()), new ContentRootPath(root));

        try
        {
            var summary = await job.RunAsync(new InboxParameters { Dataset = "digital_channels", Folder = "inbox/channels" }, CancellationToken.None);
            var again = await job.RunAsync(new InboxParameters { Dataset = "digital_channels", Folder = "inbox/channels" }, CancellationToken.None);

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
