using System.Globalization;
using Worker.Tests.Jobs;

namespace Worker.Benchmarks;

/// <summary>
/// 1,000 catalogue jobs enqueued on one database and run by two real worker processes, against the
/// baseline of the same 1,000 jobs on one process, in the same run (default settings: 5 Hangfire
/// workers a process, 1 s queue poll). Each must run exactly once: read back from worker.job_runs
/// (one row per run) and Hangfire's Processing states (which process took it, and whether twice).
/// </summary>
internal static class ScaleOutBenchmark
{
    private const int Jobs = 1_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(BenchmarkDatabase database)
    {
        Console.WriteLine($"{Jobs:N0} jobs (recover-interrupted-imports, a catalogue job), enqueued 8 at a time from a separate process.");
        Console.WriteLine("| worker processes | enqueue | wall time (enqueue to last finished) | jobs/s | succeeded | runs recorded | duplicates | missing | taken twice | split |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var processes in new[] { 1, 2 })
        {
            await using var run = await ScaleOutRun.StartAsync(database.ConnectionString, processes, queuePollSeconds: 1, Timeout);
            var r = await run.RunJobsAsync(Jobs, Timeout);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {processes}{(processes == 1 ? " (baseline)" : "")} | {r.Enqueue.TotalSeconds:F1} s | {r.Wall.TotalSeconds:F1} s | {r.JobsPerSecond:F0} | {r.Succeeded:N0} | {r.RunRows:N0} | {r.Duplicates} | {r.Missing} | {r.TakenTwice} | {string.Join(" / ", r.PerProcess)}{(r.ElsewhereOrUnknown > 0 ? $" (+{r.ElsewhereOrUnknown} unknown)" : "")} |"));
        }
    }
}
