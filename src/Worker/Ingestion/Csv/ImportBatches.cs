using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Worker.Ingestion.Csv;

/// <summary>One row of worker.import_batches, as the API and the upload page show it.</summary>
public sealed record ImportBatch(
    Guid Id, string Dataset, string FileName, string Sha256, long SizeBytes, string Source, string UploadedByName, string Status,
    string? HangfireJobId, long? RowsRead, long? Inserted, long? Updated, long? Unchanged, long? Rejected, long? Skipped,
    string? Errors, string? Notes, string? Message, Guid? SameFileAs, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt)
{
    public bool Finished => Status is not ("queued" or "running");

    public IReadOnlyList<ImportError> ErrorList => Errors is null ? [] : JsonSerializer.Deserialize<List<ImportError>>(Errors, JsonSerializerOptions.Web) ?? [];

    public IReadOnlyList<string> NoteList => Notes is null ? [] : JsonSerializer.Deserialize<List<string>>(Notes) ?? [];
}

/// <summary>The file is larger than Imports:MaxFileMegabytes.</summary>
public sealed class FileTooLargeException(long limit) : Exception($"The file is larger than the limit of {limit / (1024 * 1024)} MiB.")
{
    public long Limit { get; } = limit;
}

/// <summary>Import batches and their stored files.</summary>
public sealed class ImportBatches(NpgsqlDataSource dataSource)
{
    public const int ChunkBytes = 1024 * 1024;

    private const string Columns = """
        id, dataset, file_name as FileName, sha256, size_bytes as SizeBytes, source, uploaded_by_name as UploadedByName, status,
        hangfire_job_id as HangfireJobId, rows_read as RowsRead, inserted, updated, unchanged, rejected, skipped,
        errors::text as Errors, notes::text as Notes, message, same_file_as as SameFileAs, created_at as CreatedAt,
        started_at as StartedAt, finished_at as FinishedAt
        """;

    /// <summary>
    /// Stores the file as it streams in (never whole in memory), hashing and measuring it, and records
    /// a queued batch. Nothing is kept if the file is too large.
    /// </summary>
    public async Task<Guid> CreateAsync(string dataset, string fileName, Stream content, string source, Guid? uploadedBy, string uploadedByName,
        ImportOptions options, long maxBytes, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync("""
            insert into worker.import_batches (id, dataset, file_name, sha256, size_bytes, source, uploaded_by, uploaded_by_name, options)
            values (@id, @dataset, @fileName, '', 0, @source, @uploadedBy, @uploadedByName, @options::jsonb)
            """, new { id, dataset, fileName = Path.GetFileName(fileName), source, uploadedBy, uploadedByName, options = JsonSerializer.Serialize(options, JsonSerializerOptions.Web) }, transaction);

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long size = 0;
        for (var chunk = 0; ; chunk++)
        {
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
            }

            if (filled == 0)
            {
                break;
            }

            size += filled;
            if (size > maxBytes)
            {
                throw new FileTooLargeException(maxBytes); // the transaction rolls back: nothing is kept
            }

            sha.AppendData(buffer, 0, filled);
            await using var insert = new NpgsqlCommand("insert into worker.import_files (batch_id, chunk, data) values ($1, $2, $3)", connection, transaction)
            {
                Parameters = { new() { Value = id }, new() { Value = chunk }, new() { Value = new ReadOnlyMemory<byte>(buffer, 0, filled) } },
            };
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        await connection.ExecuteAsync("""
            update worker.import_batches set sha256 = @hash, size_bytes = @size,
              same_file_as = (select b.id from worker.import_batches b
                              where b.dataset = @dataset and b.sha256 = @hash and b.status in ('loaded', 'partially_loaded') and b.id <> @id
                              order by b.created_at desc limit 1)
            where id = @id
            """, new { id, hash, size, dataset }, transaction);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    public async Task SetJobAsync(Guid id, string hangfireJobId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("update worker.import_batches set hangfire_job_id = @hangfireJobId where id = @id", new { id, hangfireJobId });
    }

    public async Task<ImportBatch?> FindAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ImportBatch>($"select {Columns} from worker.import_batches where id = @id", new { id });
    }

    public async Task<IReadOnlyList<ImportBatch>> RecentAsync(int count, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ImportBatch>($"select {Columns} from worker.import_batches order by created_at desc limit @count", new { count })).ToList();
    }

    public async Task<ImportOptions> StartAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var options = await connection.ExecuteScalarAsync<string>(
            "update worker.import_batches set status = 'running', started_at = now() where id = @id returning options::text", new { id });
        return JsonSerializer.Deserialize<ImportOptions>(options ?? throw new InvalidOperationException($"Import batch {id} does not exist."), JsonSerializerOptions.Web)!;
    }

    /// <summary>Records the outcome and drops the stored file: a finished batch is never run again.</summary>
    public async Task FinishAsync(Guid id, ImportResult? result, string? message, bool failed)
    {
        var status = failed ? "failed" : result?.Status switch
        {
            ImportStatus.Loaded => "loaded",
            ImportStatus.PartiallyLoaded => "partially_loaded",
            _ => "rejected",
        };
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("""
            update worker.import_batches set status = @status, finished_at = now(), message = @message,
              rows_read = @RowsRead, inserted = @Inserted, updated = @Updated, unchanged = @Unchanged, rejected = @Rejected, skipped = @Skipped,
              errors = @errors::jsonb, notes = @notes::jsonb
            where id = @id
            """, new
        {
            id, status, message, result?.RowsRead, result?.Inserted, result?.Updated, result?.Unchanged, result?.Rejected, result?.Skipped,
            errors = result is null ? null : JsonSerializer.Serialize(result.Errors, JsonSerializerOptions.Web),
            notes = result is null ? null : JsonSerializer.Serialize(result.Notes),
        }, transaction);
        if (!failed)
        {
            await connection.ExecuteAsync("delete from worker.import_files where batch_id = @id", new { id }, transaction);
        }

        await transaction.CommitAsync();
    }

    /// <summary>The stored file, read back one chunk at a time.</summary>
    public Stream OpenFile(Guid id) => new ChunkStream(dataSource, id);

    private sealed class ChunkStream(NpgsqlDataSource dataSource, Guid batchId) : ReadOnlyStream
    {
        private byte[] _chunk = [];
        private int _position;
        private int _next;
        private bool _end;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == _chunk.Length)
            {
                if (_end)
                {
                    return 0;
                }

                await using var command = dataSource.CreateCommand("select data from worker.import_files where batch_id = $1 and chunk = $2");
                command.Parameters.Add(new() { Value = batchId });
                command.Parameters.Add(new() { Value = _next++ });
                _chunk = await command.ExecuteScalarAsync(cancellationToken) as byte[] ?? [];
                _position = 0;
                if (_chunk.Length == 0)
                {
                    _end = true;
                    return 0;
                }
            }

            var n = Math.Min(buffer.Length, _chunk.Length - _position);
            _chunk.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
