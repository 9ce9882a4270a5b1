using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Worker.Jobs;

namespace Worker.Kpi;

public sealed record KpiSnapshotParameters
{
    /// <summary>Overrides Kpi:SettleDays for this job (null: the configured value).</summary>
    [Range(0, 366)]
    public int? SettleDays { get; init; }
}

/// <summary>
/// Scores every active KPI: the last complete period and the current period-to-date (in Kpi:TimeZone),
/// each with the target that applied, attainment, status and the change against its comparable period
/// (a period-to-date against the same elapsed days of the previous period). Closed periods of the trend
/// that are missing, or still within the settle window, are (re)computed; a moved value is a revision.
/// All values are computed in one statement; a KPI whose calculation is missing, malformed or fails
/// gets an error row and the others carry on. Written as upserts in one transaction: a re-run is harmless.
/// </summary>
public sealed class KpiSnapshotJob(NpgsqlDataSource dataSource, IOptions<KpiOptions> options, TimeProvider time, ILogger<KpiSnapshotJob> logger)
{
    public const string TypeName = "kpi-snapshot";

    private sealed record Definition(Guid Id, string Name, string Calculation, string Grain, string Aggregation, string Direction,
        decimal AmberTolerance, decimal? TargetValue);

    private sealed record Target(Guid KpiId, DateOnly EffectiveFrom, DateOnly? EffectiveTo, decimal TargetValue);

    private sealed record Evaluation(int Index, decimal? Value, decimal? Numerator, decimal? Denominator, string? Error, DateTime? DataAsOf);

    /// <summary>One snapshot to write: the measured period, and the period its comparison covers.</summary>
    private sealed record Planned(Definition Kpi, string Kind, KpiPeriod Period, KpiPeriod FullPeriod, KpiPeriod? Comparison);

    public async Task<JobSummary> RunAsync(KpiSnapshotParameters parameters, CancellationToken cancellationToken)
    {
        var result = await SnapshotAsync(parameters.SettleDays, cancellationToken);
        return new JobSummary(result.Evaluations, result.Written, new Dictionary<string, object?>
        {
            ["today"] = result.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["kpis"] = result.Kpis,
            ["snapshots"] = result.Written,
            ["inserted"] = result.Inserted,
            ["revised"] = result.Revised,
            ["errors"] = result.Errors,
            ["evaluations"] = result.Evaluations,
            ["milliseconds"] = result.Milliseconds,
        });
    }

    public sealed record Result(DateOnly Today, int Kpis, long Evaluations, long Written, long Inserted, long Revised, int Errors, long Milliseconds);

    public async Task<Result> SnapshotAsync(int? settleDaysOverride, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var settings = options.Value;
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, settings.Zone).DateTime);
        var settleDays = settleDaysOverride ?? settings.SettleDays;

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Small statements over small views: JIT compilation would cost more than it saves.
        await connection.ExecuteAsync("select set_config('worker.actor', 'job:kpi-snapshot', true), set_config('jit', 'off', true)", transaction: transaction);

        var kpis = (await connection.QueryAsync<Definition>(new CommandDefinition("""
            select id, name, calculation, grain, aggregation, direction, amber_tolerance as AmberTolerance, target_value as TargetValue
            from public.kpi_metrics where is_active order by domain, sort_order, name
            """, transaction: transaction, cancellationToken: cancellationToken))).ToList();
        var targets = (await connection.QueryAsync<Target>(new CommandDefinition("""
            select kpi_id as KpiId, effective_from as EffectiveFrom, effective_to as EffectiveTo, target_value as TargetValue
            from public.kpi_targets order by kpi_id, effective_from
            """, transaction: transaction, cancellationToken: cancellationToken))).ToLookup(t => t.KpiId);
        // Closed periods already stored, with the target they were scored against.
        var stored = (await connection.QueryAsync<(Guid KpiId, string Grain, DateOnly Start, decimal? Target)>(new CommandDefinition(
            "select kpi_id, grain, period_start, target_value from kpi.snapshots where period_kind = 'closed'",
            transaction: transaction, cancellationToken: cancellationToken))).ToDictionary(s => (s.KpiId, s.Grain, s.Start), s => s.Target);

        var planned = Plan(kpis, stored, targets, today, settleDays, settings.TrendPeriods);

        // Every period a snapshot needs, once: its own and its comparison's.
        var pairs = new Dictionary<(string Calculation, DateOnly Start, DateOnly End), int>();
        int IndexOf(string calculation, KpiPeriod period)
        {
            var key = (calculation, period.Start, period.End);
            if (!pairs.TryGetValue(key, out var index))
            {
                index = pairs.Count;
                pairs[key] = index;
            }

            return index;
        }

        var wanted = planned.Select(p => (Plan: p, Own: IndexOf(p.Kpi.Calculation, p.Period),
            Comparison: p.Comparison is { } c ? IndexOf(p.Kpi.Calculation, c) : (int?)null)).ToList();
        var keys = pairs.OrderBy(p => p.Value).Select(p => p.Key).ToList();
        var evaluations = await EvaluateAsync(connection, transaction, keys, cancellationToken);

        var rows = wanted.Select(w => Build(w.Plan, evaluations[w.Own], w.Comparison is { } c ? evaluations[c] : null,
            TargetOn(targets[w.Plan.Kpi.Id], w.Plan.Kpi.TargetValue, w.Plan.FullPeriod.Start))).ToList();

        var counts = await connection.QuerySingleAsync<(long Written, long Inserted, long Revised)>(new CommandDefinition(KpiSql.Upsert, new
        {
            kpiIds = rows.Select(r => r.KpiId).ToArray(),
            grains = rows.Select(r => r.Grain).ToArray(),
            kinds = rows.Select(r => r.Kind).ToArray(),
            starts = rows.Select(r => r.Start).ToArray(),
            ends = rows.Select(r => r.End).ToArray(),
            values = rows.Select(r => r.Value).ToArray(),
            numerators = rows.Select(r => r.Numerator).ToArray(),
            denominators = rows.Select(r => r.Denominator).ToArray(),
            targets = rows.Select(r => r.Target).ToArray(),
            attainments = rows.Select(r => r.Attainment).ToArray(),
            statuses = rows.Select(r => r.Status).ToArray(),
            comparisonStarts = rows.Select(r => r.ComparisonStart).ToArray(),
            comparisonEnds = rows.Select(r => r.ComparisonEnd).ToArray(),
            comparisonValues = rows.Select(r => r.ComparisonValue).ToArray(),
            changes = rows.Select(r => r.Change).ToArray(),
            errors = rows.Select(r => r.Error).ToArray(),
            dataAsOf = rows.Select(r => r.DataAsOf).ToArray(),
        }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);

        var failed = rows.Where(r => r.Error is not null).DistinctBy(r => r.KpiId).ToList();
        foreach (var row in failed)
        {
            KpiLog.KpiFailed(logger, kpis.First(k => k.Id == row.KpiId).Name, row.Error!);
        }

        KpiLog.Snapshotted(logger, kpis.Count, counts.Written, counts.Revised, failed.Count, stopwatch.ElapsedMilliseconds);
        return new Result(today, kpis.Count, keys.Count, counts.Written, counts.Inserted, counts.Revised, failed.Count, stopwatch.ElapsedMilliseconds);
    }

    private sealed record Resolved(string Calculation, string? Callee, bool? ReturnsRatio, string? Error, DateTime? DataAsOf);

    /// <summary>
    /// Evaluates every (calculation, period) pair. Each distinct calculation is first resolved against
    /// the catalog (kpi.resolve_calculation); the resolved functions are then called in one statement
    /// whose calls are built only from the catalog's own quoted names of the resolved functions, with the
    /// dates as parameters: as fast as PostgreSQL calling them itself. If that statement fails (one
    /// function raised), the pairs are evaluated again one call at a time through kpi.evaluate, which
    /// catches each call's error, so the failing KPI gets its error and the others their values.
    /// </summary>
    private static async Task<Dictionary<int, Evaluation>> EvaluateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        List<(string Calculation, DateOnly Start, DateOnly End)> keys, CancellationToken cancellationToken)
    {
        var resolved = (await connection.QueryAsync<Resolved>(new CommandDefinition("""
            select c.calculation,
              (select format('%I.%I', n.nspname, p.proname) from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
               where p.oid = r.function_oid) as callee,
              r.returns_ratio as ReturnsRatio, r.error, kpi.data_as_of(r.function_oid) as DataAsOf
            from unnest(@calculations::text[]) as c (calculation)
            cross join lateral kpi.resolve_calculation(c.calculation) r
            """, new { calculations = keys.Select(k => k.Calculation).Distinct(StringComparer.Ordinal).ToArray() }, transaction,
            cancellationToken: cancellationToken))).ToDictionary(r => r.Calculation, StringComparer.Ordinal);

        var callable = resolved.Values.Where(r => r.Callee is not null).OrderBy(r => r.Calculation, StringComparer.Ordinal).ToList();
        var functionIndex = callable.Select((r, i) => (r.Calculation, i)).ToDictionary(x => x.Calculation, x => x.i, StringComparer.Ordinal);
        var results = new Dictionary<int, Evaluation>();
        for (var i = 0; i < keys.Count; i++)
        {
            if (resolved[keys[i].Calculation].Error is { } error)
            {
                results[i] = new Evaluation(i, null, null, null, error, null);
            }
        }

        var toCall = Enumerable.Range(0, keys.Count).Where(i => functionIndex.ContainsKey(keys[i].Calculation)).ToList();
        if (toCall.Count == 0)
        {
            return results;
        }

        string Cases(bool ratio) => string.Concat(callable.Where(r => r.ReturnsRatio == ratio)
            .Select(r => $" when {functionIndex[r.Calculation]} then {r.Callee}(p.period_start, p.period_end)"));
        var values = Cases(ratio: false);
        var ratios = Cases(ratio: true);
        var sql = $"""
            select x.idx as "Index", x.v as "Value", (x.r).numerator as "Numerator", (x.r).denominator as "Denominator"
            from (
              select p.idx, {(values.Length > 0 ? $"case p.fn{values} end" : "null::numeric")} as v,
                {(ratios.Length > 0 ? $"case p.fn{ratios} end" : "null::kpi.ratio")} as r
              from unnest(@indexes::integer[], @functions::integer[], @starts::date[], @ends::date[]) as p (idx, fn, period_start, period_end)
              offset 0
            ) x
            """;
        var parameters = new
        {
            indexes = toCall.ToArray(),
            functions = toCall.Select(i => functionIndex[keys[i].Calculation]).ToArray(),
            starts = toCall.Select(i => keys[i].Start).ToArray(),
            ends = toCall.Select(i => keys[i].End).ToArray(),
        };

        List<(int Index, decimal? Value, decimal? Numerator, decimal? Denominator)> rows;
        await transaction.SaveAsync("evaluate", cancellationToken);
        try
        {
            rows = (await connection.QueryAsync<(int Index, decimal? Value, decimal? Numerator, decimal? Denominator)>(
                new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken))).ToList();
            await transaction.ReleaseAsync("evaluate", cancellationToken);
        }
        catch (PostgresException)
        {
            // One of the functions raised: evaluate call by call, each error caught for its own KPI.
            await transaction.RollbackAsync("evaluate", cancellationToken);
            foreach (var one in await connection.QueryAsync<Evaluation>(new CommandDefinition(KpiSql.Evaluate, new
            {
                indexes = toCall.ToArray(),
                calculations = toCall.Select(i => keys[i].Calculation).ToArray(),
                starts = parameters.starts,
                ends = parameters.ends,
            }, transaction, cancellationToken: cancellationToken)))
            {
                results[one.Index] = one;
            }

            return results;
        }

        foreach (var (index, value, numerator, denominator) in rows)
        {
            var r = resolved[keys[index].Calculation];
            var ratioValue = r.ReturnsRatio == true ? (denominator is { } d && d != 0 && numerator is { } n ? n / d : (decimal?)null) : value;
            results[index] = new Evaluation(index, ratioValue, numerator, denominator, null, r.DataAsOf);
        }

        return results;
    }

    /// <summary>
    /// For each KPI: the current period-to-date (if a day of it is complete), the last closed period,
    /// and the trend's earlier closed periods that are not stored yet, may still settle, or were scored
    /// against another target than the one that applies to them now (an admin changed a past period's
    /// target: its row gets the new target and status; its value is recomputed too, a revision if it moved).
    /// </summary>
    private static List<Planned> Plan(List<Definition> kpis, Dictionary<(Guid, string, DateOnly), decimal?> stored, ILookup<Guid, Target> targets,
        DateOnly today, int settleDays, int trendPeriods)
    {
        var planned = new List<Planned>();
        var settledBefore = today.AddDays(-settleDays);
        foreach (var kpi in kpis)
        {
            if (KpiPeriod.ToDate(kpi.Grain, today) is { } toDate)
            {
                planned.Add(new Planned(kpi, "to_date", toDate, KpiPeriod.Containing(kpi.Grain, today), toDate.SameElapsedDaysOfPrevious()));
            }

            var closed = KpiPeriod.LastClosed(kpi.Grain, today);
            for (var i = 0; i < trendPeriods; i++, closed = closed.Previous())
            {
                if (closed.End >= settledBefore || !stored.TryGetValue((kpi.Id, kpi.Grain, closed.Start), out var scoredAgainst)
                    || scoredAgainst != TargetOn(targets[kpi.Id], kpi.TargetValue, closed.Start))
                {
                    planned.Add(new Planned(kpi, "closed", closed, closed, closed.Previous()));
                }
            }
        }

        return planned;
    }

    /// <summary>The dated target in effect on the period's first day, else the definition's own.</summary>
    private static decimal? TargetOn(IEnumerable<Target> targets, decimal? fallback, DateOnly day)
    {
        var applying = targets.LastOrDefault(t => t.EffectiveFrom <= day);
        return applying is null ? fallback : applying.EffectiveTo is { } to && to < day ? null : applying.TargetValue;
    }

    private sealed record Row(Guid KpiId, string Grain, string Kind, DateOnly Start, DateOnly End, decimal? Value, decimal? Numerator,
        decimal? Denominator, decimal? Target, decimal? Attainment, string Status, DateOnly? ComparisonStart, DateOnly? ComparisonEnd,
        decimal? ComparisonValue, decimal? Change, string? Error, DateTime? DataAsOf);

    private static Row Build(Planned plan, Evaluation own, Evaluation? comparison, decimal? periodTarget)
    {
        var target = KpiScoring.TargetFor(periodTarget, plan.Kpi.Aggregation, plan.FullPeriod, plan.Period);
        var score = KpiScoring.Score(own.Value, target, plan.Kpi.Direction, plan.Kpi.AmberTolerance, own.Error is not null);
        var comparisonValue = comparison?.Error is null ? comparison?.Value : null;
        return new Row(plan.Kpi.Id, plan.Kpi.Grain, plan.Kind, plan.Period.Start, plan.Period.End, own.Value, own.Numerator, own.Denominator,
            score.Target, score.Attainment, score.Status, plan.Comparison?.Start, plan.Comparison?.End, comparisonValue,
            KpiScoring.Change(own.Value, comparisonValue), own.Error, own.DataAsOf);
    }
}
