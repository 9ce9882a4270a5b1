using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Worker.Ingestion.Csv;

/// <summary>One row of worker.import_batches, as the API and the upload page show it.</summary>
public sealed record ImportBatch(
    Guid Id, string Dataset, string FileName, string Sha256, long SizeBytes, string Source, string UploadedByName, string Status,
    string? HangfireJobId, long? RowsRead, long? Inserted, long? Updated, long? Unchanged, long? Rejected, long? Skipped,
    string? Errors, string? Notes, string? Message, Guid? SameFileAs, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
    int Attempts, DateTime? FilePrunedAt)
{
    public bool Finished => Status is not ("queued" or "running");

    public IReadOnlyList<ImportError> ErrorList => Errors is null ? [] : JsonSerializer.Deserialize<List<ImportError>>(Errors, JsonSerializerOptions.Web) ?? [];

    public IReadOnlyList<string> NoteList => Notes is null ? [] : JsonSerializer.Deserialize<List<string>>(Notes) ?? [];
}

/// <summary>A batch recovery found left running by a worker that is gone.</summary>
public sealed record InterruptedBatch(Guid Id, string Dataset, string FileName, string Source, int Attempts);

/// <summary>
/// The lease on one batch (see <see cref="ImportBatches.TryLeaseAsync"/>): while it is held the batch's
/// heartbeat is renewed; disposing it releases the lock and closes its session.
/// </summary>
public sealed class BatchLease : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;

    internal BatchLease(NpgsqlConnection connection, Guid batchId, TimeSpan interval)
    {
        _connection = connection;
        BatchId = batchId;
        _heartbeat = BeatAsync(interval);
    }

    public Guid BatchId { get; }

    private async Task BeatAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await _connection.ExecuteAsync(new CommandDefinition(
                    "update worker.import_batches set heartbeat_at = now() where id = @BatchId and status = 'running'",
                    new { BatchId }, cancellationToken: _stop.Token));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (NpgsqlException)
        {
            // The session is gone (database restarted): the lock went with it; the run itself will fail or finish.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeat;
        try
        {
            await _connection.ExecuteAsync("select pg_advisory_unlock(@LeaseLockClass, hashtext(@key))",
                new { LeaseLockClass = ImportBatches.LeaseLockClass, key = BatchId.ToString() });
        }
        catch (NpgsqlException)
        {
            // A broken session holds no lock any more.
        }

        await _connection.DisposeAsync();
        _stop.Dispose();
    }
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
        started_at as StartedAt, finished_at as FinishedAt, attempts, file_pruned_at as FilePrunedAt
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

    /// <summary>
    /// Marks the batch running (one more attempt, by <paramref name="runBy"/>) and returns its options;
    /// null when it may not run: it is finished (final), or its stored file was pruned. Call it under the
    /// batch's lease (<see cref="TryLeaseAsync"/>).
    /// </summary>
    public async Task<ImportOptions?> StartAsync(Guid id, CancellationToken cancellationToken, string? runBy = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var options = await connection.ExecuteScalarAsync<string>("""
            update worker.import_batches
            set status = 'running', started_at = now(), heartbeat_at = now(), finished_at = null, attempts = attempts + 1, run_by = @runBy
            where id = @id and status in ('queued', 'running', 'failed', 'interrupted') and file_pruned_at is null
            returning options::text
            """, new { id, runBy = runBy ?? RunBy });
        return options is null ? null : JsonSerializer.Deserialize<ImportOptions>(options, JsonSerializerOptions.Web)!;
    }

    /// <summary>This process, as batches record who ran them.</summary>
    public static readonly string RunBy = $"{Environment.MachineName.ToLowerInvariant()}:{Environment.ProcessId}";

    /// <summary>
    /// Records the outcome and drops the stored file: a finished batch is final, never run again. A batch
    /// that is already final is left as it is. A load that wrote rows records its outcome in its own
    /// transaction (<see cref="RecordOutcomeAsync"/>); this is for the outcomes that wrote nothing.
    /// </summary>
    public async Task FinishAsync(Guid id, ImportResult? result, string? message, bool failed)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await RecordOutcomeAsync(connection, transaction, id, result, message, failed, CancellationToken.None);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Commits a load that wrote rows together with its batch's record of it (when it has a batch):
    /// a worker dying at any point leaves either both (loaded) or neither (interrupted, and a re-run
    /// loads it). Rolls back when another run finished the batch meanwhile.
    /// </summary>
    internal static async Task CommitWithOutcomeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid? batchId, ImportResult result,
        CancellationToken cancellationToken)
    {
        if (batchId is { } id && !await RecordOutcomeAsync(connection, transaction, id, result, null, failed: false, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            throw new InvalidOperationException($"Import batch {id} was finished by another run meanwhile: this load was rolled back.");
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the batch's final state (status, counts, notes) and deletes its stored file, in the
    /// caller's transaction: the import writes it in the transaction of the data, so the rows and the
    /// record of loading them commit together or not at all. False when the batch was already final
    /// (nothing is changed then).
    /// </summary>
    internal static async Task<bool> RecordOutcomeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, ImportResult? result, string? message,
        bool failed, CancellationToken cancellationToken)
    {
        var status = failed ? "failed" : result?.Status switch
        {
            ImportStatus.Loaded => "loaded",
            ImportStatus.PartiallyLoaded => "partially_loaded",
            _ => "rejected",
        };
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            update worker.import_batches set status = @status, finished_at = now(), message = @message,
              rows_read = @RowsRead, inserted = @Inserted, updated = @Updated, unchanged = @Unchanged, rejected = @Rejected, skipped = @Skipped,
              errors = @errors::jsonb, notes = @notes::jsonb
            where id = @id and status not in ('loaded', 'partially_loaded', 'rejected')
            """, new
        {
            id, status, message, result?.RowsRead, result?.Inserted, result?.Updated, result?.Unchanged, result?.Rejected, result?.Skipped,
            errors = result is null ? null : JsonSerializer.Serialize(result.Errors, JsonSerializerOptions.Web),
            notes = result is null ? null : JsonSerializer.Serialize(result.Notes),
        }, transaction, cancellationToken: cancellationToken));
        if (!failed && updated > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("delete from worker.import_files where batch_id = @id", new { id }, transaction, cancellationToken: cancellationToken));
        }

        return updated > 0;
    }

    /// <summary>The first key of the advisory locks that lease batches (the second is a hash of the batch id).</summary>
    internal const int LeaseLockClass = 630;

    /// <summary>
    /// The right to run the batch: an advisory lock held by a session of its own for as long as the run
    /// lasts, with a heartbeat. PostgreSQL drops the lock the moment the worker's connection goes (a
    /// killed process; a vanished machine within a minute, by TCP keepalives), which is how a batch whose
    /// worker died is told from one still running. Null when another worker holds it.
    /// </summary>
    public async Task<BatchLease?> TryLeaseAsync(Guid id, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync("set tcp_keepalives_idle = 20; set tcp_keepalives_interval = 10; set tcp_keepalives_count = 3");
            if (await connection.ExecuteScalarAsync<bool>("select pg_try_advisory_lock(@LeaseLockClass, hashtext(@key))", new { LeaseLockClass, key = id.ToString() }))
            {
                return new BatchLease(connection, id, heartbeat);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// Marks running batches whose worker is gone (no session holds their lease, or no heartbeat for
    /// <paramref name="staleAfter"/>) as interrupted. Nothing of theirs was loaded: the load is one
    /// transaction, which PostgreSQL rolled back when the worker's connection went.
    /// </summary>
    public async Task<IReadOnlyList<InterruptedBatch>> MarkInterruptedAsync(TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<InterruptedBatch>(new CommandDefinition("""
            update worker.import_batches b
            set status = 'interrupted', finished_at = now(),
                message = 'Interrupted: the worker running it (' || coalesce(b.run_by, 'unknown') || ') stopped before it finished, '
                          || 'last seen ' || to_char(coalesce(b.heartbeat_at, b.started_at) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC. Nothing was loaded.'
            where b.status = 'running'
              and (coalesce(b.heartbeat_at, b.started_at) < now() - @staleAfter
                   or not exists (select 1 from pg_locks l
                                  where l.locktype = 'advisory' and l.granted
                                    and l.database = (select oid from pg_database where datname = current_database())
                                    and l.classid = @LeaseLockClass and l.objid = hashtext(b.id::text)::oid and l.objsubid = 2))
            returning b.id, b.dataset, b.file_name as FileName, b.source, b.attempts
            """, new { staleAfter, LeaseLockClass }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Puts an interrupted batch back in the queue, adding <paramref name="sentence"/> to its message.</summary>
    public async Task<bool> RequeueAsync(Guid id, string sentence, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "update worker.import_batches set status = 'queued', finished_at = null, message = concat_ws(' ', message, @sentence) where id = @id and status = 'interrupted'",
            new { id, sentence }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>
    /// Puts an interrupted batch whose stored file is still there back in the queue for a person's
    /// re-run; false when it is not (any more) in that state.
    /// </summary>
    public async Task<bool> QueueRerunAsync(Guid id, string sentence, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            update worker.import_batches set status = 'queued', finished_at = null, message = concat_ws(' ', message, @sentence)
            where id = @id and status = 'interrupted' and file_pruned_at is null
            """, new { id, sentence }, cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Adds a sentence to the batch's message (what recovery did about it).</summary>
    public async Task AppendMessageAsync(Guid id, string sentence, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update worker.import_batches set message = concat_ws(' ', message, @sentence) where id = @id", new { id, sentence }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Deletes the stored files of batches finished more than <paramref name="retention"/> ago (failed
    /// and interrupted ones keep theirs until then, so they can be run again), a thousand batches at a
    /// time. Returns the number of batches and of 1 MiB chunks.
    /// </summary>
    public async Task<(long Batches, long Chunks)> PruneFilesAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        long batches = 0, chunks = 0;
        while (true)
        {
            var (b, c) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition("""
                with old as (
                  select id from worker.import_batches
                  where status not in ('queued', 'running') and file_pruned_at is null and finished_at < now() - @retention
                  limit 1000 for update skip locked),
                gone as (delete from worker.import_files f using old where f.batch_id = old.id returning 1),
                marked as (update worker.import_batches b set file_pruned_at = now() from old where b.id = old.id returning 1)
                select (select count(*) from marked), (select count(*) from gone)
                """, new { retention }, cancellationToken: cancellationToken));
            batches += b;
            chunks += c;
            if (b < 1000)
            {
                return (batches, chunks);
            }
        }
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
