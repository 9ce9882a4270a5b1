using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Worker.Ingestion.Csv;

namespace Worker.Kpi;

/// <summary>
/// Loads the kpi_targets dataset: one row per KPI and period, the KPI by its name (as the KPI page
/// shows it), its id or its calculation key; the period as a quarter (2026-Q1), month (2026-01), ISO
/// week (2026-W05) or day (2026-01-31), or as effective from / effective to dates (no end: until the
/// next target). The period must be whole periods of the KPI's grain. The target is read with the
/// importer's number rules; a percentage ("25%") is allowed for percent KPIs, which store a fraction.
/// Upserted on (kpi_id, effective_from) in one transaction, so loading the same file again changes
/// nothing. The file's layout (encoding, delimiter, headers) is read by <see cref="ExportLayout"/>.
/// </summary>
public sealed partial class KpiTargetsImporter(NpgsqlDataSource dataSource, int maxFieldChars)
{
    private sealed record Kpi(Guid Id, string Name, string Calculation, string Grain, string DisplayFormat);

    private sealed record Parsed(long Line, Kpi Kpi, DateOnly From, DateOnly? To, decimal Target, string? Note, string PeriodHeader, string PeriodRaw);

    private static readonly DatasetColumn TargetNumber = new("target_value", FieldKind.Decimal, true) { SqlType = "numeric(18,4)" };

    public async Task<ImportResult> ImportAsync(Stream content, string fileName, ImportOptions options, ImportActor actor, Guid? batchId, CancellationToken cancellationToken)
    {
        var dataset = Datasets.KpiTargets;
        using var source = CsvSource.Open(content, maxFieldChars);
        var layout = ExportLayout.Read(dataset, source, options);
        var notes = new List<string>(layout.Notes);
        var columns = layout.Columns.ToDictionary(m => m.Column.Column);
        if (!columns.ContainsKey("period") && !columns.ContainsKey("effective_from"))
        {
            throw new ImportRejectedException("The file needs a period column (2026-Q1, 2026-01, 2026-W05 or 2026-01-31) or an effective from column.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("select set_config('worker.audit', 'batch', true), set_config('worker.actor', @name, true)",
            new { name = actor.Name }, transaction, cancellationToken: cancellationToken));
        var kpis = (await connection.QueryAsync<Kpi>(new CommandDefinition(
            "select id, name, calculation, grain, display_format as DisplayFormat from public.kpi_metrics order by name",
            transaction: transaction, cancellationToken: cancellationToken))).ToList();

        var errors = new List<ImportError>();
        var good = new List<Parsed>();
        long rowsRead = 0, rejected = 0;
        while (layout.Next(out var record, out var line))
        {
            cancellationToken.ThrowIfCancellationRequested();
            rowsRead++;
            var rowErrors = new List<ImportError>();
            var parsed = ParseRow(layout, columns, kpis, record, line, rowErrors);
            if (parsed is null)
            {
                rejected++;
                errors.AddRange(rowErrors);
                if (errors.Count >= options.MaxErrors)
                {
                    notes.Add($"Stopped reading after {options.MaxErrors} errors.");
                    return Result(ImportStatus.Rejected, 0, 0, 0);
                }

                continue;
            }

            good.Add(parsed);
        }

        if (rowsRead == 0)
        {
            throw new ImportRejectedException("The file has a header row but no data rows.");
        }

        notes.AddRange(layout.ClosingNotes());
        foreach (var overlap in Overlaps(good))
        {
            errors.Add(overlap.Error);
            if (good.Remove(overlap.Row))
            {
                rejected++;
            }
        }

        if (errors.Count > 0 && (!options.Partial || good.Count == 0))
        {
            return Result(ImportStatus.Rejected, 0, 0, 0);
        }

        var hasNote = columns.ContainsKey("note");
        var (inserted, updated) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition($"""
            with upserted as (
              insert into public.kpi_targets as t (kpi_id, effective_from, effective_to, target_value, note)
              select * from unnest(@kpiIds::uuid[], @froms::date[], @tos::date[], @targets::numeric[], @notes::text[])
              on conflict (kpi_id, effective_from) do update set
                effective_to = excluded.effective_to, target_value = excluded.target_value{(hasNote ? ", note = excluded.note" : "")}
              where (t.effective_to, t.target_value{(hasNote ? ", t.note" : "")}) is distinct from (excluded.effective_to, excluded.target_value{(hasNote ? ", excluded.note" : "")})
              returning (xmax = 0) as inserted
            )
            select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
            """, new
        {
            kpiIds = good.Select(g => g.Kpi.Id).ToArray(),
            froms = good.Select(g => g.From).ToArray(),
            tos = good.Select(g => g.To).ToArray(),
            targets = good.Select(g => g.Target).ToArray(),
            notes = good.Select(g => g.Note).ToArray(),
        }, transaction, cancellationToken: cancellationToken));
        var unchanged = good.Count - inserted - updated;
        notes.AddRange(EndingNotes(good));
        var status = errors.Count == 0 ? ImportStatus.Loaded : ImportStatus.PartiallyLoaded;
        if (options.DryRun)
        {
            await transaction.RollbackAsync(cancellationToken);
            notes.Add("Dry run: nothing was written.");
            return Result(status, inserted, updated, unchanged);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            insert into public.audit_logs (actor_id, actor_role, action, table_name, record_id, changes)
            values (@userId, @name, 'INSERT', 'kpi_targets', @record, @changes::jsonb)
            """, new
        {
            userId = actor.UserId,
            name = actor.Name,
            record = "import-batch:" + (batchId?.ToString() ?? "cli"),
            changes = JsonSerializer.Serialize(new { file = fileName, inserted, updated, unchanged, rejected }),
        }, transaction, cancellationToken: cancellationToken));
        var result = Result(status, inserted, updated, unchanged);
        await ImportBatches.CommitWithOutcomeAsync(connection, transaction, batchId, result, cancellationToken);
        return result;

        ImportResult Result(ImportStatus status, long inserted, long updated, long unchanged) =>
            new(fileName, dataset.Name, status, rowsRead, inserted, updated, unchanged,
                status == ImportStatus.Rejected ? rowsRead : rejected, layout.TotalsRows, errors, notes, options.DryRun);
    }

    private static Parsed? ParseRow(ExportLayout layout, Dictionary<string, MappedColumn> columns, List<Kpi> kpis, string[] record, long line, List<ImportError> errors)
    {
        string Raw(string column) => columns.TryGetValue(column, out var m) ? m.IsConstant ? Convert.ToString(m.Constant, CultureInfo.InvariantCulture) ?? "" : m.Index < record.Length ? record[m.Index] : "" : "";
        string Header(string column) => columns[column].Header;
        void Error(string column, string reason) => errors.Add(new ImportError(line, Header(column), Raw(column), reason));

        var kpiRaw = Raw("kpi").Trim();
        var kpi = Resolve(kpis, kpiRaw);
        if (kpi is null)
        {
            Error("kpi", kpiRaw.Length == 0 ? "a value is required" : $"is not a known KPI{CloseNames(kpis, kpiRaw)}");
        }

        var periodRaw = Raw("period").Trim();
        var fromRaw = Raw("effective_from").Trim();
        var toRaw = Raw("effective_to").Trim();
        DateOnly? from = null, to = null;
        string periodColumn;
        if (periodRaw.Length > 0)
        {
            periodColumn = "period";
            if (fromRaw.Length > 0 || toRaw.Length > 0)
            {
                Error("period", "is given together with effective from/to dates; give one or the other");
            }
            else if (ParsePeriod(periodRaw) is { } period)
            {
                (from, to) = period;
            }
            else
            {
                Error("period", "is not a period: write a quarter (2026-Q1), a month (2026-01), an ISO week (2026-W05) or a day (2026-01-31)");
            }
        }
        else
        {
            periodColumn = columns.ContainsKey("effective_from") ? "effective_from" : "period";
            if (fromRaw.Length == 0)
            {
                Error(periodColumn, "a period or an effective from date is required");
            }
            else if (layout.Parser.TryParse(columns["effective_from"].Column, fromRaw, out var f, out var problem))
            {
                from = (DateOnly)f!;
            }
            else
            {
                Error("effective_from", problem!);
            }

            if (toRaw.Length > 0)
            {
                if (layout.Parser.TryParse(columns["effective_to"].Column, toRaw, out var t, out var problem))
                {
                    to = (DateOnly)t!;
                    if (from is { } start && to < start)
                    {
                        Error("effective_to", FormattableString.Invariant($"is before the effective from date ({start:yyyy-MM-dd})"));
                    }
                }
                else
                {
                    Error("effective_to", problem!);
                }
            }
        }

        if (kpi is not null && from is { } first && errors.Count == 0)
        {
            var grain = KpiPeriod.Containing(kpi.Grain, first);
            if (grain.Start != first)
            {
                Error(periodColumn, FormattableString.Invariant(
                    $"does not fit the grain of '{kpi.Name}' ({kpi.Grain}): a target starts on the first day of a {kpi.Grain} (here {grain.Start:yyyy-MM-dd}, {grain.End.AddDays(1):yyyy-MM-dd}, …)"));
            }
            else if (to is { } last && KpiPeriod.Containing(kpi.Grain, last).End != last)
            {
                Error(periodColumn.Length > 0 && columns.ContainsKey("effective_to") && periodRaw.Length == 0 ? "effective_to" : periodColumn, FormattableString.Invariant(
                    $"does not fit the grain of '{kpi.Name}' ({kpi.Grain}): a target ends on the last day of a {kpi.Grain} (here {KpiPeriod.Containing(kpi.Grain, last).End:yyyy-MM-dd})"));
            }
        }

        var targetRaw = Raw("target_value").Trim();
        decimal? target = null;
        if (kpi is not null)
        {
            target = ParseTarget(layout.Parser, kpi, targetRaw, out var problem);
            if (problem is not null)
            {
                Error("target_value", problem);
            }
        }

        var note = Raw("note").Trim();
        return errors.Count > 0 || kpi is null || from is null || target is null
            ? null
            : new Parsed(line, kpi, from.Value, to, target.Value, note.Length == 0 ? null : note, Header(periodColumn), periodRaw.Length > 0 ? periodRaw : fromRaw);
    }

    /// <summary>By name (any case, spaces trimmed), by id, or by calculation key.</summary>
    private static Kpi? Resolve(List<Kpi> kpis, string raw) =>
        kpis.FirstOrDefault(k => k.Name.Equals(raw, StringComparison.OrdinalIgnoreCase))
        ?? (Guid.TryParse(raw, out var id) ? kpis.FirstOrDefault(k => k.Id == id) : null)
        ?? kpis.FirstOrDefault(k => k.Calculation.Equals(raw, StringComparison.OrdinalIgnoreCase));

    /// <summary>"; did you mean 'Leads', 'New leads'?": the names nearest in spelling, or containing the value.</summary>
    private static string CloseNames(List<Kpi> kpis, string raw)
    {
        var close = kpis
            .Select(k => (k.Name, Distance: Distance(k.Name.ToLowerInvariant(), raw.ToLowerInvariant())))
            .Where(k => k.Distance <= Math.Max(2, raw.Length / 3) || k.Name.Contains(raw, StringComparison.OrdinalIgnoreCase) || raw.Contains(k.Name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(k => k.Distance).Take(3).Select(k => $"'{k.Name}'").ToList();
        return close.Count > 0 ? $"; did you mean {string.Join(", ", close)}?" : " (the names are those on the KPI page)";
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>2026-Q1, 2026-01, 2026-W05 (ISO week, Monday first) or 2026-01-31: the period's first and last day.</summary>
    internal static (DateOnly From, DateOnly To)? ParsePeriod(string raw)
    {
        var text = raw.Trim().ToUpperInvariant();
        if (Quarter().Match(text) is { Success: true } q)
        {
            var start = new DateOnly(int.Parse(q.Groups[1].Value, CultureInfo.InvariantCulture), (int.Parse(q.Groups[2].Value, CultureInfo.InvariantCulture) - 1) * 3 + 1, 1);
            return (start, start.AddMonths(3).AddDays(-1));
        }

        if (Month().Match(text) is { Success: true } m && int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) is >= 1 and <= 12 and var month)
        {
            var start = new DateOnly(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), month, 1);
            return (start, start.AddMonths(1).AddDays(-1));
        }

        if (Week().Match(text) is { Success: true } w)
        {
            var year = int.Parse(w.Groups[1].Value, CultureInfo.InvariantCulture);
            var week = int.Parse(w.Groups[2].Value, CultureInfo.InvariantCulture);
            if (week < 1 || week > ISOWeek.GetWeeksInYear(year))
            {
                return null;
            }

            var start = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, DayOfWeek.Monday));
            return (start, start.AddDays(6));
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? (day, day) : null;
    }

    /// <summary>
    /// The number the KPI stores: currency, counts and hours as written; a percent KPI stores a fraction,
    /// so "25%" is 0.25 and a plain number is taken as the fraction itself (a plain number above 1 is
    /// refused as ambiguous: 90 could mean 90 % or 9,000 %).
    /// </summary>
    private static decimal? ParseTarget(FieldParser parser, Kpi kpi, string raw, out string? problem)
    {
        problem = null;
        var percent = raw.EndsWith('%');
        var number = percent ? raw[..^1].Trim() : raw;
        if (!parser.TryParse(TargetNumber, number, out var value, out var numberProblem))
        {
            problem = numberProblem == "a value is required" ? "a target is required" : $"is not a number: {numberProblem}";
            return null;
        }

        var target = (decimal)value!;
        if (kpi.DisplayFormat == "percent")
        {
            if (percent)
            {
                return target / 100m;
            }

            if (target > 1)
            {
                problem = FormattableString.Invariant($"is ambiguous for '{kpi.Name}', a percentage KPI: write {target}% or {target / 100m} (a fraction)");
                return null;
            }

            return target;
        }

        if (percent)
        {
            problem = $"is a percentage, but '{kpi.Name}' is measured in {kpi.DisplayFormat}: write the number itself";
            return null;
        }

        return target;
    }

    /// <summary>Rows of one KPI whose periods overlap an earlier row's (an open end reaches the next row).</summary>
    private static List<(Parsed Row, ImportError Error)> Overlaps(List<Parsed> rows)
    {
        var found = new List<(Parsed, ImportError)>();
        foreach (var kpi in rows.GroupBy(r => r.Kpi.Id))
        {
            var ordered = kpi.OrderBy(r => r.From).ThenBy(r => r.Line).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                var earlier = ordered[i - 1];
                var later = ordered[i];
                var overlaps = earlier.From == later.From || earlier.To is { } end && end >= later.From;
                if (overlaps)
                {
                    var (first, second) = earlier.Line < later.Line ? (earlier, later) : (later, earlier);
                    found.Add((second, new ImportError(second.Line, second.PeriodHeader, second.PeriodRaw, FormattableString.Invariant(
                        $"overlaps the period of '{second.Kpi.Name}' on line {first.Line} ({first.PeriodRaw}); each day may have one target per KPI"))));
                }
            }
        }

        return found;
    }

    /// <summary>A target with an end and none after it in the file: after it the KPI has no target, say so.</summary>
    private static IEnumerable<string> EndingNotes(List<Parsed> rows) =>
        rows.GroupBy(r => r.Kpi.Id).Select(g => g.MaxBy(r => r.From)!).Where(r => r.To is not null)
            .Select(r => FormattableString.Invariant(
                $"'{r.Kpi.Name}': the target of line {r.Line} ends on {r.To:yyyy-MM-dd}; unless a later target starts, periods after it have no target (give no end date for a standing target)."));

    [GeneratedRegex(@"^(\d{4})-?Q([1-4])$")]
    private static partial Regex Quarter();

    [GeneratedRegex(@"^(\d{4})-(\d{2})$")]
    private static partial Regex Month();

    [GeneratedRegex(@"^(\d{4})-?W(\d{2})$")]
    private static partial Regex Week();
}
