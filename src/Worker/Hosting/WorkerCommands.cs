using System.Globalization;
using Cronos;
using Worker.Database;
using Worker.Jobs;

namespace Worker.Hosting;

/// <summary>The one-shot commands: each prints its result to stdout and returns the exit code.</summary>
internal static class WorkerCommands
{
    public static async Task<int> MigrateAsync(IServiceProvider services, bool seed)
    {
        var report = await services.GetRequiredService<Migrator>().MigrateAsync(seed);
        foreach (var line in report.Applied.Select(a => "applied " + a).Concat(report.Notes))
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    public static int ListJobs(IServiceProvider services)
    {
        var catalogue = services.GetRequiredService<JobCatalogue>();
        var now = DateTime.UtcNow;
        var rows = catalogue.Jobs.OrderBy(j => j.Id, StringComparer.Ordinal).Select(j => new[]
        {
            j.Id, j.Type, j.Cron, j.TimeZone.Id, j.Queue, j.Enabled ? "yes" : "no", j.Enabled ? NextRun(j, now) : "never (disabled)",
        }).ToList();
        rows.Insert(0, ["id", "type", "cron", "time zone", "queue", "enabled", "next run (job's zone)"]);
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        return 0;
    }

    public static async Task<int> RunJobAsync(IServiceProvider services, string jobId)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(seed: false);
        await using var scope = services.CreateAsyncScope();
        var summary = await scope.ServiceProvider.GetRequiredService<JobRunner>().RunAsync(jobId, "command", null, CancellationToken.None);
        Console.WriteLine(summary.ToJson());
        return 0;
    }

    internal static string NextRun(JobDefinition job, DateTime utcNow)
    {
        var format = job.Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        var next = CronExpression.Parse(job.Cron, format).GetNextOccurrence(new DateTimeOffset(utcNow, TimeSpan.Zero), job.TimeZone);
        return next?.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture) ?? "never";
    }
}
