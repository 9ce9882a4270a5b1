using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;

namespace Worker.Ingestion.Csv;

/// <summary>Who or what an import is for, for the audit trail.</summary>
public sealed record ImportActor(Guid? UserId, string Name);

/// <summary>
/// Loads one CSV export into its dataset's table. The file is read once, as it streams: the header is
/// matched through the dataset's aliases, each row is checked and written by binary COPY into a
/// temporary staging table; then duplicate keys and unknown campaigns are found in SQL, and one
/// upsert on the natural key writes only the rows whose values differ. All in one transaction: a bad
/// file, a crash or a dry run leaves the table as it was.
/// </summary>
public sealed partial class CsvImporter(NpgsqlDataSource dataSource)
{
    private const int MaxPreambleRows = 50;

    /// <param name="reopen">
    /// Opens the file again from the start. Given, a load into an empty table may write straight into
    /// it (see <see cref="CanLoadDirectlyAsync"/>), because a file that turns out to repeat a key can be
    /// read a second time through staging to name the lines.
    /// </param>
    public async Task<ImportResult> ImportAsync(Dataset dataset, Stream content, string fileName, ImportOptions options, ImportActor actor, Guid? batchId,
        CancellationToken cancellationToken, Func<Stream>? reopen = null)
    {
        using var source = CsvSource.Open(content);
        var notes = new List<string> { $"Read as {source.Encoding.WebName}, delimiter {DelimiterName(source.Delimiter)}." };
        var mapping = ReadHeader(dataset, source, notes);
        var parser = new FieldParser(options);
        var errors = new List<ImportError>();
        long rowsRead = 0, skipped = 0, rejectedRows = 0;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The load is audited as one batch (below), not row by row.
        await ExecuteAsync(connection, transaction, "select set_config('worker.audit', 'batch', true), set_config('worker.actor', @name, true)", new { name = actor.Name }, cancellationToken);
        var direct = reopen is not null && await CanLoadDirectlyAsync(connection, transaction, dataset, mapping, cancellationToken);
        if (!direct)
        {
            await ExecuteAsync(connection, transaction, StagingTable(mapping), null, cancellationToken);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stopped = false;
        await using (var copy = await connection.BeginBinaryImportAsync(direct ? DirectCopyCommand(dataset, mapping) : CopyCommand(mapping), cancellationToken))
        {
            copy.Timeout = TimeSpan.Zero; // a large file may take minutes; the job's cancellation stops it
            var values = new object?[mapping.Count];
            while (source.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var record = source.Record;
                if (IsBlank(record))
                {
                    continue;
                }

                if (IsTotalsRow(record))
                {
                    skipped++;
                    continue;
                }

                rowsRead++;
                if (ParseRow(dataset, mapping, parser, record, source.Line, values) is { } rowErrors)
                {
                    rejectedRows++;
                    errors.AddRange(rowErrors);
                    if (errors.Count >= options.MaxErrors)
                    {
                        stopped = true;
                        break;
                    }

                    continue;
                }

                // Synchronous writes: the importer buffers, and an await per field costs more than the rare blocking flush.
                copy.StartRow();
                if (!direct)
                {
                    copy.Write(source.Line, NpgsqlTypes.NpgsqlDbType.Bigint);
                }

                foreach (var value in values)
                {
                    // Typed writes: writing an object makes Npgsql look up its converter for every field.
                    switch (value)
                    {
                        case null:
                            copy.WriteNull();
                            break;
                        case long count:
                            copy.Write(count, NpgsqlTypes.NpgsqlDbType.Bigint);
                            break;
                        case decimal number:
                            copy.Write(number, NpgsqlTypes.NpgsqlDbType.Numeric);
                            break;
                        case DateOnly date:
                            copy.Write(date, NpgsqlTypes.NpgsqlDbType.Date);
                            break;
                        default:
                            copy.Write((string)value, NpgsqlTypes.NpgsqlDbType.Text);
                            break;
                    }
                }
            }

            if (rowsRead == 0 && !stopped)
            {
                throw new ImportRejectedException("The file has a header row but no data rows.");
            }

            if (stopped)
            {
                notes.Add($"Stopped reading after {options.MaxErrors} errors.");
            }

            if (!stopped && (errors.Count == 0 || options.Partial))
            {
                try
                {
                    await copy.CompleteAsync(cancellationToken);
                }
                catch (PostgresException ex) when (direct && ex.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    // The file repeats a key: read it again through staging, which names the lines.
                    await transaction.RollbackAsync(cancellationToken);
                    await using var again = reopen!();
                    return await ImportAsync(dataset, again, fileName, options, actor, batchId, cancellationToken, reopen: null);
                }
            }
        }

        if (stopped || (errors.Count > 0 && !options.Partial))
        {
            return Result(ImportStatus.Rejected, 0, 0, 0);
        }

        if (direct)
        {
            notes.Add(FormattableString.Invariant($"Initial load: {rowsRead - rejectedRows:N0} rows written straight into the empty {dataset.Table} table in {clock.Elapsed.TotalSeconds:F1} s."));
            return await FinishAsync(rowsRead - rejectedRows, 0, errors.Count > 0 ? ImportStatus.PartiallyLoaded : ImportStatus.Loaded);
        }

        notes.Add(FormattableString.Invariant($"Read, checked and staged {rowsRead:N0} rows in {clock.Elapsed.TotalSeconds:F1} s."));
        clock.Restart();

        // Unknown campaigns are looked for up front (those datasets are small); duplicate keys only
        // when the upsert trips over one, so a clean file is not grouped by key a second time.
        var keyErrors = await FindUnknownCampaignsAsync(connection, transaction, mapping, options.MaxErrors - errors.Count, cancellationToken);
        (long Inserted, long Updated)? written = null;
        if (keyErrors.Count == 0)
        {
            written = await TryUpsertAsync(connection, transaction, dataset, mapping, cancellationToken);
            if (written is null)
            {
                keyErrors = await FindDuplicateKeysAsync(connection, transaction, dataset, mapping, options.MaxErrors - errors.Count, cancellationToken);
            }
        }

        if (keyErrors.Count > 0)
        {
            errors.AddRange(keyErrors);
            if (!options.Partial || errors.Count >= options.MaxErrors)
            {
                return Result(ImportStatus.Rejected, 0, 0, 0);
            }

            var badLines = keyErrors.Select(e => e.Line!.Value).Distinct().ToArray();
            rejectedRows += await ExecuteAsync(connection, transaction, "delete from import_stage where line = any(@badLines)", new { badLines }, cancellationToken);
            written = await TryUpsertAsync(connection, transaction, dataset, mapping, cancellationToken)
                ?? throw new InvalidOperationException("Duplicate keys remained after removing them.");
        }

        var (inserted, updated) = written!.Value;
        notes.Add(FormattableString.Invariant($"Wrote to {dataset.Table} in {clock.Elapsed.TotalSeconds:F1} s."));
        return await FinishAsync(inserted, updated, errors.Count > 0 ? ImportStatus.PartiallyLoaded : ImportStatus.Loaded);

        async Task<ImportResult> FinishAsync(long inserted, long updated, ImportStatus status)
        {
            var unchanged = rowsRead - rejectedRows - inserted - updated;
            if (options.DryRun)
            {
                await transaction.RollbackAsync(cancellationToken);
                notes.Add("Dry run: nothing was written.");
                return Result(status, inserted, updated, unchanged);
            }

            await ExecuteAsync(connection, transaction, """
                insert into public.audit_logs (actor_id, actor_role, action, table_name, record_id, changes)
                values (@userId, @name, 'INSERT', @table, @record, @changes::jsonb)
                """,
                new
                {
                    userId = actor.UserId,
                    name = actor.Name,
                    table = dataset.Table,
                    record = "import-batch:" + (batchId?.ToString() ?? "cli"),
                    changes = JsonSerializer.Serialize(new { file = fileName, inserted, updated, unchanged, rejected = rejectedRows }),
                }, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Result(status, inserted, updated, unchanged);
        }

        ImportResult Result(ImportStatus status, long inserted, long updated, long unchanged) =>
            new(fileName, dataset.Name, status, rowsRead, inserted, updated, unchanged,
                status == ImportStatus.Rejected ? rowsRead : rejectedRows, skipped, errors, notes, options.DryRun);
    }

    /// <summary>
    /// Runs the upsert inside a savepoint. Null when the file holds a key twice: PostgreSQL refuses to
    /// let one INSERT … ON CONFLICT touch a row twice (SQLSTATE 21000), and the savepoint undoes it.
    /// </summary>
    private static async Task<(long Inserted, long Updated)?> TryUpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dataset dataset,
        List<MappedColumn> mapping, CancellationToken cancellationToken)
    {
        await transaction.SaveAsync("upsert", cancellationToken);
        try
        {
            var counts = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(UpsertCommand(dataset, mapping), transaction: transaction,
                commandTimeout: NoTimeout, cancellationToken: cancellationToken));
            await transaction.ReleaseAsync("upsert", cancellationToken);
            return counts;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CardinalityViolation)
        {
            await transaction.RollbackAsync("upsert", cancellationToken);
            return null;
        }
    }

    /// <summary>
    /// Whether this load may write straight into the table: it is empty (an initial load or backfill)
    /// and no campaign names need looking up. The lock keeps other writers (another import, a user's
    /// edit) out until this transaction ends, so it stays empty while we decide; readers are not held up.
    /// </summary>
    private static async Task<bool> CanLoadDirectlyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dataset dataset,
        List<MappedColumn> mapping, CancellationToken cancellationToken)
    {
        if (mapping.Any(m => m.Column.IsCampaignReference))
        {
            return false;
        }

        await ExecuteAsync(connection, transaction, $"lock table public.{Quote(dataset.Table)} in share row exclusive mode", null, cancellationToken);
        return !await connection.ExecuteScalarAsync<bool>(new CommandDefinition($"select exists (select 1 from public.{Quote(dataset.Table)})",
            transaction: transaction, commandTimeout: NoTimeout, cancellationToken: cancellationToken));
    }

    private static string DirectCopyCommand(Dataset dataset, List<MappedColumn> mapping) =>
        $"copy public.{Quote(dataset.Table)} ({string.Join(", ", mapping.Select(m => Quote(m.Column.Column)))}) from stdin (format binary)";

    // Statements of an import may run for minutes on a large file; the job's cancellation token stops them.
    private const int NoTimeout = 0;

    private static Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, NoTimeout, cancellationToken: cancellationToken));

    /// <summary>One file column feeding one dataset column.</summary>
    private sealed record MappedColumn(int Index, string Header, DatasetColumn Column);

    /// <summary>
    /// Finds the header row: the first row (after any preamble a reporting tool writes) that names every
    /// required column. Refuses the file, before any data is read, when there is none.
    /// </summary>
    private static List<MappedColumn> ReadHeader(Dataset dataset, CsvSource source, List<string> notes)
    {
        string[]? best = null;
        var bestMatches = -1;
        for (var row = 0; row < MaxPreambleRows && source.Read(); row++)
        {
            var mapping = Map(dataset, source.Record);
            if (dataset.Columns.Where(c => c.Required).All(c => mapping.Any(m => m.Column == c)))
            {
                var duplicates = mapping.GroupBy(m => m.Column).Where(g => g.Count() > 1).ToList();
                if (duplicates.Count > 0)
                {
                    throw new ImportRejectedException("Line " + source.Line + ": " + string.Join("; ", duplicates.Select(g =>
                        $"columns {string.Join(" and ", g.Select(m => $"'{m.Header}'"))} both mean {g.Key.Column}; keep one")) + ".");
                }

                var ignored = source.Record.Where((_, i) => mapping.All(m => m.Index != i) && !string.IsNullOrWhiteSpace(source.Record[i])).ToList();
                if (ignored.Count > 0)
                {
                    notes.Add($"Ignored columns: {HeaderExcerpt.Of(ignored)}.");
                }

                if (row > 0)
                {
                    notes.Add($"Skipped {row} line(s) before the header row (line {source.Line}).");
                }

                return mapping;
            }

            var matches = mapping.Select(m => m.Column).Distinct().Count();
            if (matches > bestMatches)
            {
                best = source.Record;
                bestMatches = matches;
            }
        }

        if (best is null)
        {
            throw new ImportRejectedException("The file has no rows.");
        }

        var found = Map(dataset, best);
        var missing = dataset.Columns.Where(c => c.Required && found.All(m => m.Column != c))
            .Select(c => $"{c.Column} (e.g. {string.Join(", ", c.Aliases.Take(3).Select(a => $"'{a}'"))})");
        throw new ImportRejectedException(
            $"Missing required column(s): {string.Join("; ", missing)}. Found: {HeaderExcerpt.Of(best)}.");
    }

    private static List<MappedColumn> Map(Dataset dataset, string[] headers)
    {
        var mapping = new List<MappedColumn>();
        for (var i = 0; i < headers.Length; i++)
        {
            var name = HeaderName.Normalise(headers[i]);
            var column = dataset.Columns.FirstOrDefault(c => c.NormalisedHeaders.Contains(name));
            if (column is not null && name.Length > 0)
            {
                mapping.Add(new MappedColumn(i, headers[i].Trim(), column));
            }
        }

        return mapping;
    }

    /// <summary>Fills <paramref name="values"/>; returns the row's errors, or null when it has none.</summary>
    private static List<ImportError>? ParseRow(Dataset dataset, List<MappedColumn> mapping, FieldParser parser, string[] record, long line, object?[] values)
    {
        List<ImportError>? errors = null;
        for (var i = 0; i < mapping.Count; i++)
        {
            var raw = mapping[i].Index < record.Length ? record[mapping[i].Index] : "";
            if (parser.TryParse(mapping[i].Column, raw, out var value, out var problem))
            {
                values[i] = value;
            }
            else
            {
                (errors ??= []).Add(new ImportError(line, mapping[i].Header, raw, problem!));
            }
        }

        foreach (var (start, end) in dataset.DateRanges)
        {
            var s = mapping.FindIndex(m => m.Column.Column == start);
            var e = mapping.FindIndex(m => m.Column.Column == end);
            if (s >= 0 && e >= 0 && values[s] is DateOnly from && values[e] is DateOnly to && to < from && errors is null)
            {
                (errors ??= []).Add(new ImportError(line, mapping[e].Header, record[mapping[e].Index], $"is before {mapping[s].Header} ({from:yyyy-MM-dd})"));
            }
        }

        return errors;
    }

    private static bool IsBlank(string[] record)
    {
        foreach (var cell in record)
        {
            if (!string.IsNullOrWhiteSpace(cell))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTotalsRow(string[] record)
    {
        var first = record.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c))?.TrimStart();
        // Most rows start with a date or a name: look closer only at those starting like "Total" or "Grand".
        return first is { Length: > 0 } && (first[0] is 'T' or 't' or 'G' or 'g') && TotalsLabel().IsMatch(first.Trim());
    }

    private static string StagingTable(List<MappedColumn> mapping) =>
        $"create temporary table import_stage (line bigint not null, {string.Join(", ", mapping.Select(m => $"{Quote(m.Column.Column)} {m.Column.StagingSqlType}"))}) on commit drop";

    private static string CopyCommand(List<MappedColumn> mapping) =>
        $"copy import_stage (line, {string.Join(", ", mapping.Select(m => Quote(m.Column.Column)))}) from stdin (format binary)";

    /// <summary>Keys that appear more than once in the file, naming every line they are on.</summary>
    private static async Task<List<ImportError>> FindDuplicateKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dataset dataset,
        List<MappedColumn> mapping, int limit, CancellationToken cancellationToken)
    {
        var key = string.Join(", ", dataset.NaturalKey.Select(Quote));
        var headers = mapping.ToDictionary(m => m.Column.Column, m => m.Header);
        var keyLabel = string.Join(" + ", dataset.NaturalKey.Select(k => headers[k]));
        var duplicates = await connection.QueryAsync<(long[] Lines, string Key)>(new CommandDefinition($"""
            select array_agg(line order by line), concat_ws(' / ', {key})
            from import_stage group by {key} having count(*) > 1
            order by min(line) limit @limit
            """, new { limit = Math.Max(limit, 1) }, transaction, NoTimeout, cancellationToken: cancellationToken));
        return duplicates.SelectMany(d => d.Lines.Select(line => new ImportError(line, keyLabel, d.Key,
            $"repeats a key that is also on line(s) {string.Join(", ", d.Lines.Where(l => l != line))}; each key may appear once per file"))).ToList();
    }

    /// <summary>Campaign names that are not in marketing_campaigns.</summary>
    private static async Task<List<ImportError>> FindUnknownCampaignsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        List<MappedColumn> mapping, int limit, CancellationToken cancellationToken)
    {
        var campaign = mapping.FirstOrDefault(m => m.Column.IsCampaignReference);
        if (campaign is null)
        {
            return [];
        }

        var unknown = await connection.QueryAsync<(long Line, string Name)>(new CommandDefinition("""
            select s.line, s.campaign_id from import_stage s
            where s.campaign_id is not null and not exists (select 1 from public.marketing_campaigns c where c.name = s.campaign_id)
            order by s.line limit @limit
            """, new { limit = Math.Max(limit, 1) }, transaction, NoTimeout, cancellationToken: cancellationToken));
        return unknown.Select(u => new ImportError(u.Line, campaign.Header, u.Name, "is not a known campaign (create it first, or check the spelling)")).ToList();
    }

    /// <summary>
    /// One statement: insert new keys, update existing ones only where a value differs (so reloading
    /// an unchanged file writes nothing), and count which was which. Columns the file does not have
    /// are left as they are on update and get their defaults on insert.
    /// </summary>
    private static string UpsertCommand(Dataset dataset, List<MappedColumn> mapping)
    {
        var columns = mapping.Select(m => m.Column.Column).ToList();
        var select = string.Join(", ", mapping.Select(m => m.Column.IsCampaignReference ? "c.id" : "s." + Quote(m.Column.Column)));
        var join = mapping.Any(m => m.Column.IsCampaignReference) ? "left join public.marketing_campaigns c on c.name = s.campaign_id" : "";
        var updatable = columns.Except(dataset.NaturalKey).ToList();
        var onConflict = updatable.Count == 0
            ? "do nothing"
            : $"do update set {string.Join(", ", updatable.Select(c => $"{Quote(c)} = excluded.{Quote(c)}"))} " +
              $"where ({string.Join(", ", updatable.Select(c => "t." + Quote(c)))}) is distinct from ({string.Join(", ", updatable.Select(c => "excluded." + Quote(c)))})";
        return $"""
            with upserted as (
              insert into public.{Quote(dataset.Table)} as t ({string.Join(", ", columns.Select(Quote))})
              select {select} from import_stage s {join}
              on conflict ({string.Join(", ", dataset.NaturalKey.Concat(dataset.DefaultedKey).Select(Quote))}) {onConflict}
              returning (xmax = 0) as inserted
            )
            select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
            """;
    }

    private static string Quote(string identifier) => "\"" + identifier + "\"";

    private static string DelimiterName(char delimiter) => delimiter switch { ',' => "comma", ';' => "semicolon", _ => "tab" };

    [GeneratedRegex(@"^(grand\s+)?totals?(\s*:.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex TotalsLabel();
}
