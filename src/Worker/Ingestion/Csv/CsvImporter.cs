using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Worker.Ingestion.Csv;

/// <summary>Who or what an import is for, for the audit trail.</summary>
public sealed record ImportActor(Guid? UserId, string Name);

/// <summary>
/// Loads one CSV export into its dataset's table. The file is read once, as it streams:
/// <see cref="ExportLayout"/> works out its layout (header, columns, totals, footer, number and date
/// forms), <see cref="FieldParser"/> checks each cell, and the good rows are written by binary COPY
/// (each value as its column's type) into a temporary staging table, or straight into an empty table.
/// Then unknown campaigns, and keys the <see cref="KeyFilter"/> saw twice, are confirmed in SQL, and
/// one upsert on the natural key writes only the rows whose values differ. All in one transaction, with
/// the audit row and the batch's final state: a bad file, a crash or a dry run leaves the table as it
/// was, and a load that committed is always recorded as loaded.
/// </summary>
public sealed partial class CsvImporter(NpgsqlDataSource dataSource, IOptions<ImportsOptions>? imports = null)
{
    private readonly int _maxFieldChars = imports?.Value.MaxFieldChars ?? CsvSource.DefaultMaxFieldChars;

    /// <param name="reopen">
    /// Opens the file again from the start. Given, a load into an empty table may write straight into
    /// it (see <see cref="CanLoadDirectlyAsync"/>), because a file that turns out to repeat a key can be
    /// read a second time through staging to name the lines.
    /// </param>
    public async Task<ImportResult> ImportAsync(Dataset dataset, Stream content, string fileName, ImportOptions options, ImportActor actor, Guid? batchId,
        CancellationToken cancellationToken, Func<Stream>? reopen = null)
    {
        if (options.DateFormat is { } format && DateFormats.Problem(format) is { } formatProblem)
        {
            throw new ImportRejectedException(formatProblem);
        }

        if (dataset == Datasets.KpiTargets)
        {
            // Its period and target are read against each KPI's grain and unit: a loader of its own.
            return await new Worker.Kpi.KpiTargetsImporter(dataSource, _maxFieldChars).ImportAsync(content, fileName, options, actor, batchId, cancellationToken);
        }

        using var source = CsvSource.Open(content, _maxFieldChars);
        var notes = new List<string> { $"Read as {source.Encoding.WebName}, delimiter {DelimiterName(source.Delimiter)}." };
        var layout = ExportLayout.Read(dataset, source, options);
        notes.AddRange(layout.Notes);
        var mapping = layout.Columns;
        if (options.SumDuplicates && mapping.Where(m => !dataset.IsKeyColumn(m.Column) && !m.Column.Additive).Select(m => m.Header).ToList() is { Count: > 0 } notAdditive)
        {
            throw new ImportRejectedException(
                $"Rows sharing a key can be summed only when every column adds up; {string.Join(", ", notAdditive.Select(h => $"'{h}'"))} do(es) not. Remove those columns, or upload without summing duplicates.");
        }

        var errors = new List<ImportError>();
        long rowsRead = 0, rejectedRows = 0, combined = 0;
        var keys = new KeyFilter(dataset, mapping);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The load is audited as one batch (below), not row by row.
        await ExecuteAsync(connection, transaction, "select set_config('worker.audit', 'batch', true), set_config('worker.actor', @name, true)", new { name = actor.Name }, cancellationToken);
        var direct = reopen is not null && await CanLoadDirectlyAsync(connection, transaction, dataset, mapping, cancellationToken);
        if (!direct)
        {
            await ExecuteAsync(connection, transaction, StagingTable("import_stage", mapping), null, cancellationToken);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stopped = false;
        var copyTypes = mapping.Select(m => m.Column.CopyType).ToArray();
        await using (var copy = await connection.BeginBinaryImportAsync(direct ? DirectCopyCommand(dataset, mapping) : CopyCommand("import_stage", mapping), cancellationToken))
        {
            copy.Timeout = TimeSpan.Zero; // a large file may take minutes; the job's cancellation stops it
            var values = new object?[mapping.Count];
            while (layout.Next(out var record, out var line))
            {
                cancellationToken.ThrowIfCancellationRequested();
                rowsRead++;
                if (ParseRow(layout, record, line, values) is { } rowErrors)
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

                keys.Add(values);
                // Synchronous writes: the importer buffers, and an await per field costs more than the rare blocking flush.
                copy.StartRow();
                if (!direct)
                {
                    copy.Write(line, NpgsqlTypes.NpgsqlDbType.Bigint);
                }

                for (var i = 0; i < values.Length; i++)
                {
                    Write(copy, copyTypes[i], values[i]);
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

            // A file with bad values is still staged (without them), so its unknown campaigns and repeated
            // keys are reported in the same pass.
            if (!stopped && (errors.Count == 0 || options.Partial || !direct))
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

        notes.AddRange(layout.ClosingNotes());
        if (stopped || (errors.Count > 0 && !options.Partial && direct))
        {
            return Result(ImportStatus.Rejected, 0, 0, 0);
        }

        if (direct)
        {
            notes.Add(FormattableString.Invariant($"Initial load: {rowsRead - rejectedRows:N0} rows written straight into the empty {dataset.Table} table in {clock.Elapsed.TotalSeconds:F1} s."));
            return await FinishAsync(rowsRead - rejectedRows, 0);
        }

        notes.Add(FormattableString.Invariant($"Read, checked and staged {rowsRead:N0} rows in {clock.Elapsed.TotalSeconds:F1} s."));
        clock.Restart();

        // Unknown campaigns are looked for up front (those datasets are small); repeated keys only when
        // the key filter saw a key that may have come before, so a clean file is not grouped by key.
        var keyErrors = await FindUnknownCampaignsAsync(connection, transaction, mapping, options.MaxErrors - errors.Count, cancellationToken);
        var duplicates = keys.MaybeRepeated
            ? await FindDuplicateKeysAsync(connection, transaction, dataset, mapping, keys, options.SumDuplicates ? 1 : options.MaxErrors - errors.Count - keyErrors.Count, cancellationToken)
            : [];
        if (options.SumDuplicates && duplicates.Count > 0)
        {
            var (repeatedKeys, rowsCombined) = await SumDuplicatesAsync(connection, transaction, dataset, mapping, cancellationToken);
            combined = rowsCombined;
            notes.Add(FormattableString.Invariant(
                $"Summed rows sharing a key: {repeatedKeys + rowsCombined:N0} rows with {repeatedKeys:N0} repeated key(s) became {repeatedKeys:N0} rows, {rowsCombined:N0} row(s) combined (e.g. lines {string.Join(", ", duplicates[0].Lines)}: {duplicates[0].Key})."));
        }
        else
        {
            keyErrors.AddRange(duplicates.SelectMany(d => d.Errors));
        }

        if (keyErrors.Count > 0 || errors.Count > 0 && !options.Partial)
        {
            errors.AddRange(keyErrors.Take(Math.Max(options.MaxErrors - errors.Count, 0)));
            if (!options.Partial || errors.Count >= options.MaxErrors)
            {
                return Result(ImportStatus.Rejected, 0, 0, 0);
            }

            var badLines = keyErrors.Select(e => e.Line!.Value).Distinct().ToArray();
            rejectedRows += await ExecuteAsync(connection, transaction, "delete from import_stage where line = any(@badLines)", new { badLines }, cancellationToken);
        }

        var (inserted, updated, skippedUnchanged) = await TryUpsertAsync(connection, transaction, dataset, mapping, rowsRead - rejectedRows - combined, cancellationToken)
            ?? throw new InvalidOperationException("A key repeated in the file was not found by the duplicate check.");
        if (skippedUnchanged)
        {
            notes.Add("Most rows were unchanged (judged from a sample), so rows equal to the table's were left out before writing.");
        }

        notes.Add(FormattableString.Invariant($"{(options.DryRun ? "Worked out what would change in" : "Wrote to")} {dataset.Table} in {clock.Elapsed.TotalSeconds:F1} s."));
        return await FinishAsync(inserted, updated);

        async Task<ImportResult> FinishAsync(long inserted, long updated)
        {
            var status = errors.Count == 0 ? ImportStatus.Loaded : inserted + updated + Unchanged(inserted, updated) > 0 ? ImportStatus.PartiallyLoaded : ImportStatus.Rejected;
            if (options.DryRun || status == ImportStatus.Rejected)
            {
                await transaction.RollbackAsync(cancellationToken);
                if (options.DryRun)
                {
                    notes.Add("Dry run: nothing was written.");
                }

                return status == ImportStatus.Rejected ? Result(status, 0, 0, 0) : Result(status, inserted, updated, Unchanged(inserted, updated));
            }

            var unchanged = Unchanged(inserted, updated);
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
                    changes = JsonSerializer.Serialize(new { file = fileName, inserted, updated, unchanged, rejected = rejectedRows, combined }),
                }, cancellationToken);
            var result = Result(status, inserted, updated, unchanged);
            await ImportBatches.CommitWithOutcomeAsync(connection, transaction, batchId, result, cancellationToken);
            return result;
        }

        long Unchanged(long inserted, long updated) => rowsRead - rejectedRows - combined - inserted - updated;

        ImportResult Result(ImportStatus status, long inserted, long updated, long unchanged) =>
            new(fileName, dataset.Name, status, rowsRead, inserted, updated, unchanged,
                status == ImportStatus.Rejected ? rowsRead : rejectedRows, layout.TotalsRows, errors, notes, options.DryRun)
            {
                Combined = status == ImportStatus.Rejected ? 0 : combined,
            };
    }

    /// <summary>
    /// Writes one value as its column's PostgreSQL type. The unboxing casts are exact: a value of another
    /// CLR type (say a decimal for a bigint column) throws instead of being written as the wrong bytes.
    /// </summary>
    private static void Write(NpgsqlBinaryImporter copy, CopyType type, object? value)
    {
        if (value is null)
        {
            copy.WriteNull();
            return;
        }

        // Typed writes: writing an object makes Npgsql look up its converter for every field.
        switch (type)
        {
            case CopyType.Bigint:
                copy.Write((long)value, NpgsqlTypes.NpgsqlDbType.Bigint);
                break;
            case CopyType.Integer:
                copy.Write(checked((int)(long)value), NpgsqlTypes.NpgsqlDbType.Integer);
                break;
            case CopyType.Numeric:
                copy.Write((decimal)value, NpgsqlTypes.NpgsqlDbType.Numeric);
                break;
            case CopyType.Date:
                copy.Write((DateOnly)value, NpgsqlTypes.NpgsqlDbType.Date);
                break;
            default:
                copy.Write((string)value, NpgsqlTypes.NpgsqlDbType.Text);
                break;
        }
    }

    /// <summary>
    /// Runs the upsert inside a savepoint. Null when the file holds a key twice: PostgreSQL refuses to
    /// let one INSERT … ON CONFLICT touch a row twice (SQLSTATE 21000), and the savepoint undoes it.
    /// </summary>
    private static async Task<(long Inserted, long Updated, bool SkippedUnchanged)?> TryUpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dataset dataset,
        IReadOnlyList<MappedColumn> mapping, long stagedRows, CancellationToken cancellationToken)
    {
        var skipUnchanged = await MostlyUnchangedAsync(connection, transaction, dataset, mapping, stagedRows, cancellationToken);
        await transaction.SaveAsync("upsert", cancellationToken);
        try
        {
            var (inserted, updated) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(UpsertCommand(dataset, mapping, skipUnchanged), transaction: transaction,
                commandTimeout: NoTimeout, cancellationToken: cancellationToken));
            await transaction.ReleaseAsync("upsert", cancellationToken);
            return (inserted, updated, skipUnchanged);
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
        IReadOnlyList<MappedColumn> mapping, CancellationToken cancellationToken)
    {
        if (mapping.Any(m => m.Column.IsCampaignReference))
        {
            return false;
        }

        await ExecuteAsync(connection, transaction, $"lock table public.{Quote(dataset.Table)} in share row exclusive mode", null, cancellationToken);
        return !await connection.ExecuteScalarAsync<bool>(new CommandDefinition($"select exists (select 1 from public.{Quote(dataset.Table)})",
            transaction: transaction, commandTimeout: NoTimeout, cancellationToken: cancellationToken));
    }

    private static string StagingTable(string name, IReadOnlyList<MappedColumn> mapping) =>
        $"create temporary table {name} (line bigint not null, {string.Join(", ", mapping.Select(m => $"{Quote(m.Column.Column)} {m.Column.StagingSqlType}"))}) on commit drop";

    private static string CopyCommand(string table, IReadOnlyList<MappedColumn> mapping) =>
        $"copy {table} (line, {string.Join(", ", mapping.Select(m => Quote(m.Column.Column)))}) from stdin (format binary)";

    /// <summary>Fills <paramref name="values"/>; returns the row's errors, or null when it has none.</summary>
    private static List<ImportError>? ParseRow(ExportLayout layout, string[] record, long line, object?[] values)
    {
        List<ImportError>? errors = null;
        var mapping = layout.Columns;
        for (var i = 0; i < mapping.Count; i++)
        {
            var column = mapping[i];
            if (column.IsConstant)
            {
                values[i] = column.Constant;
                continue;
            }

            var raw = column.Index < record.Length ? record[column.Index] : "";
            if (layout.Parser.TryParse(column.Column, raw, out var value, out var problem))
            {
                values[i] = value;
            }
            else
            {
                (errors ??= []).Add(new ImportError(line, column.Header, raw, problem!));
            }
        }

        if (errors is not null)
        {
            return errors;
        }

        foreach (var (start, end) in layout.Dataset.DateRanges)
        {
            var s = Find(mapping, start);
            var e = Find(mapping, end);
            if (s >= 0 && e >= 0 && values[s] is DateOnly from && values[e] is DateOnly to && to < from)
            {
                (errors ??= []).Add(new ImportError(line, mapping[e].Header, Raw(mapping[e]), $"is before {mapping[s].Header} ({from:yyyy-MM-dd})"));
            }
        }

        // A daily dataset's row must cover one day: "Reporting starts" 1 September, "Reporting ends" 30 September is a month.
        if (layout.PeriodEnd is { } periodEnd)
        {
            var raw = periodEnd.Index < record.Length ? record[periodEnd.Index] : "";
            var day = mapping.First(m => m.Column.Required && m.Column.Kind == FieldKind.Date);
            if (!layout.Parser.TryParse(periodEnd.Column, raw, out var end, out var problem))
            {
                (errors ??= []).Add(new ImportError(line, periodEnd.Header, raw, problem!));
            }
            else if (end is DateOnly to && values[Find(mapping, day.Column.Column)] is DateOnly from && to != from)
            {
                (errors ??= []).Add(new ImportError(line, periodEnd.Header, raw, FormattableString.Invariant(
                    $"is not the row's {day.Header} ({from:yyyy-MM-dd}): the row covers {from:yyyy-MM-dd} to {to:yyyy-MM-dd}, and {layout.Dataset.Name} takes one row per day; {layout.Dataset.ByDayHint}")));
            }
        }

        return errors;

        string Raw(MappedColumn column) => column.IsConstant ? Convert.ToString(column.Constant, CultureInfo.InvariantCulture) ?? "" : record[column.Index];
    }

    private static int Find(IReadOnlyList<MappedColumn> mapping, string column)
    {
        for (var i = 0; i < mapping.Count; i++)
        {
            if (mapping[i].Column.Column == column)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A key repeated in the file: its lines, its value, and an error for each line.</summary>
    private sealed record Duplicate(long[] Lines, string Key, List<ImportError> Errors);

    /// <summary>
    /// Keys that appear more than once in the file, naming every line they are on. Only the keys the
    /// filter flagged are looked at (a join with a small table), unless it flagged too many to list.
    /// </summary>
    private static async Task<List<Duplicate>> FindDuplicateKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dataset dataset,
        IReadOnlyList<MappedColumn> mapping, KeyFilter keys, int limit, CancellationToken cancellationToken)
    {
        var key = string.Join(", ", dataset.NaturalKey.Select(k => "s." + Quote(k)));
        var headers = mapping.ToDictionary(m => m.Column.Column, m => m.Header);
        var keyLabel = string.Join(" + ", dataset.NaturalKey.Select(k => headers[k]));
        var join = "";
        if (keys.Candidates is { } candidates)
        {
            var keyColumns = dataset.NaturalKey.Select(k => mapping.First(m => m.Column.Column == k)).ToList();
            await ExecuteAsync(connection, transaction, StagingTable("import_candidates", keyColumns), null, cancellationToken);
            await using (var copy = await connection.BeginBinaryImportAsync(CopyCommand("import_candidates", keyColumns), cancellationToken))
            {
                foreach (var candidate in candidates)
                {
                    copy.StartRow();
                    copy.Write(0L, NpgsqlTypes.NpgsqlDbType.Bigint);
                    for (var i = 0; i < candidate.Length; i++)
                    {
                        Write(copy, keyColumns[i].Column.CopyType, candidate[i]);
                    }
                }

                await copy.CompleteAsync(cancellationToken);
            }

            join = $"join (select distinct {string.Join(", ", dataset.NaturalKey.Select(Quote))} from import_candidates) c using ({string.Join(", ", dataset.NaturalKey.Select(Quote))})";
        }

        var duplicates = await connection.QueryAsync<(long[] Lines, string Key)>(new CommandDefinition($"""
            select array_agg(s.line order by s.line), concat_ws(' / ', {key})
            from import_stage s {join} group by {key} having count(*) > 1
            order by min(s.line) limit @limit
            """, new { limit = Math.Max(limit, 1) }, transaction, NoTimeout, cancellationToken: cancellationToken));
        return [.. duplicates.Select(d => new Duplicate(d.Lines, d.Key, [.. d.Lines.Select(line => new ImportError(line, keyLabel, d.Key,
            $"repeats a key that is also on line(s) {string.Join(", ", d.Lines.Where(l => l != line))}; each key may appear once per file " +
            "(or, for figures that add up, sum them: --sum-duplicates, sumDuplicates=true)"))]))];
    }

    /// <summary>Replaces the staged rows by one row per key, its figures summed. Returns the keys that repeated and the rows combined.</summary>
    private static async Task<(long RepeatedKeys, long RowsCombined)> SumDuplicatesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dataset dataset,
        IReadOnlyList<MappedColumn> mapping, CancellationToken cancellationToken)
    {
        var key = string.Join(", ", dataset.NaturalKey.Select(Quote));
        var sums = string.Join("", mapping.Where(m => !dataset.IsKeyColumn(m.Column))
            .Select(m => $", sum({Quote(m.Column.Column)})::{m.Column.StagingSqlType} as {Quote(m.Column.Column)}"));
        await ExecuteAsync(connection, transaction, $"""
            create temporary table import_summed on commit drop as
            select min(line) as line, count(*) as rows_in_key, {key}{sums} from import_stage group by {key};
            drop table import_stage;
            alter table import_summed rename to import_stage;
            """, null, cancellationToken);
        return await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "select count(*) filter (where rows_in_key > 1), coalesce(sum(rows_in_key - 1), 0)::bigint from import_stage",
            transaction: transaction, commandTimeout: NoTimeout, cancellationToken: cancellationToken));
    }

    private static string DirectCopyCommand(Dataset dataset, IReadOnlyList<MappedColumn> mapping) =>
        $"copy public.{Quote(dataset.Table)} ({string.Join(", ", mapping.Select(m => Quote(m.Column.Column)))}) from stdin (format binary)";

    // Statements of an import may run for minutes on a large file; the job's cancellation token stops them.
    private const int NoTimeout = 0;

    private static Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, NoTimeout, cancellationToken: cancellationToken));

    /// <summary>Campaign names that are not in marketing_campaigns.</summary>
    private static async Task<List<ImportError>> FindUnknownCampaignsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<MappedColumn> mapping, int limit, CancellationToken cancellationToken)
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
    /// Whether most staged rows equal what the table holds (a re-exported report, a lookback window):
    /// judged from a sample of about a thousand rows spread over the file. Files under
    /// <see cref="SampledFrom"/> rows are not sampled; the plain upsert is as quick for them.
    /// </summary>
    private static async Task<bool> MostlyUnchangedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Dataset dataset,
        IReadOnlyList<MappedColumn> mapping, long staged, CancellationToken cancellationToken)
    {
        if (staged < SampledFrom || UpdatableColumns(dataset, mapping).Count == 0)
        {
            return false;
        }

        var percent = Math.Min(100.0, 1_000.0 * 100 / staged);
        var unchangedShare = await connection.ExecuteScalarAsync<double?>(new CommandDefinition(FormattableString.Invariant($"""
            select avg(case when {Unchanged(dataset, mapping)} then 1.0 else 0.0 end)::float8
            from import_stage s tablesample system ({percent}) repeatable (0) {CampaignJoin(mapping)}
            """), transaction: transaction, commandTimeout: NoTimeout, cancellationToken: cancellationToken));
        return unchangedShare >= MostlyUnchanged;
    }

    // Below this many staged rows an import does not sample.
    internal const long SampledFrom = 10_000;

    // Measured on 1M rows (docs/benchmarks.md): leaving unchanged rows out before the upsert takes an
    // unchanged reload from 8.0 s to 1.7 s, since ON CONFLICT locks (and so writes) every row it
    // meets even when it updates nothing; but the anti-join costs a reload in which every row changed
    // 15.7 s against 8.9 s. The two cross near half the rows changed.
    private const double MostlyUnchanged = 0.6;

    /// <summary>
    /// One statement: insert new keys, update existing ones only where a value differs (so reloading
    /// an unchanged file writes nothing), and count which was which. Columns the file does not have
    /// are left as they are on update and get their defaults on insert. With <paramref name="skipUnchanged"/>,
    /// rows equal to the table's are left out first, so ON CONFLICT never meets (and locks) them.
    /// </summary>
    private static string UpsertCommand(Dataset dataset, IReadOnlyList<MappedColumn> mapping, bool skipUnchanged)
    {
        var columns = mapping.Select(m => m.Column.Column).ToList();
        var select = string.Join(", ", mapping.Select(SelectExpression));
        var updatable = UpdatableColumns(dataset, mapping);
        var onConflict = updatable.Count == 0
            ? "do nothing"
            : $"do update set {string.Join(", ", updatable.Select(c => $"{Quote(c)} = excluded.{Quote(c)}"))} " +
              $"where ({string.Join(", ", updatable.Select(c => "t." + Quote(c)))}) is distinct from ({string.Join(", ", updatable.Select(c => "excluded." + Quote(c)))})";
        var filter = skipUnchanged ? $"where not ({Unchanged(dataset, mapping)})" : "";
        return $"""
            with upserted as (
              insert into public.{Quote(dataset.Table)} as t ({string.Join(", ", columns.Select(Quote))})
              select {select} from import_stage s {CampaignJoin(mapping)} {filter}
              on conflict ({string.Join(", ", dataset.NaturalKey.Concat(dataset.DefaultedKey).Select(Quote))}) {onConflict}
              returning (xmax = 0) as inserted
            )
            select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
            """;
    }

    /// <summary>A condition on a staged row <c>s</c>: the table holds its key with the same values.</summary>
    private static string Unchanged(Dataset dataset, IReadOnlyList<MappedColumn> mapping)
    {
        var key = mapping.Where(m => dataset.IsKeyColumn(m.Column)).Select(m => $"d.{Quote(m.Column.Column)} = {SelectExpression(m)}")
            .Concat(dataset.DefaultedKey.Select(c => $"d.{Quote(c)} = {Dataset.UploadKeyValue}"));
        var updatable = mapping.Where(m => !dataset.IsKeyColumn(m.Column)).ToList();
        return $"""
            exists (select 1 from public.{Quote(dataset.Table)} d where {string.Join(" and ", key)}
              and ({string.Join(", ", updatable.Select(m => "d." + Quote(m.Column.Column)))}) is not distinct from ({string.Join(", ", updatable.Select(SelectExpression))}))
            """;
    }

    private static List<string> UpdatableColumns(Dataset dataset, IReadOnlyList<MappedColumn> mapping) =>
        [.. mapping.Select(m => m.Column.Column).Except(dataset.NaturalKey)];

    private static string SelectExpression(MappedColumn m) => m.Column.IsCampaignReference ? "c.id" : "s." + Quote(m.Column.Column);

    private static string CampaignJoin(IReadOnlyList<MappedColumn> mapping) =>
        mapping.Any(m => m.Column.IsCampaignReference) ? "left join public.marketing_campaigns c on c.name = s.campaign_id" : "";

    private static string Quote(string identifier) => "\"" + identifier + "\"";

    private static string DelimiterName(char delimiter) => delimiter switch { ',' => "comma", ';' => "semicolon", _ => "tab" };

}
