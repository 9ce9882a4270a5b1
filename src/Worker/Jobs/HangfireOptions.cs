using System.ComponentModel.DataAnnotations;

namespace Worker.Jobs;

/// <summary>The "Hangfire" section: how this worker process takes part in running jobs.</summary>
public sealed class HangfireOptions
{
    public const string Section = "Hangfire";

    /// <summary>Jobs this process runs at once. Jobs are coarse (a file, a report), so a few suffice on 2 cores.</summary>
    [Range(1, 100)]
    public int WorkerCount { get; set; } = 5;

    /// <summary>
    /// How often idle workers look for new jobs. Hangfire's default of 15 s makes a job enqueued by
    /// another process (an upload taken by another worker) wait up to 15 s; 1 s costs little CPU.
    /// </summary>
    [Range(0.05, 60)]
    public double QueuePollIntervalSeconds { get; set; } = 1;

    /// <summary>How often delayed jobs (retries) are moved to their queue when due. Hangfire's default is 15 s.</summary>
    [Range(0.05, 60)]
    public double SchedulePollingIntervalSeconds { get; set; } = 5;

    /// <summary>
    /// A job running longer than this on one worker makes readiness Degraded (Unhealthy when every worker
    /// of the process is on such a job), naming the job. Longer than the longest import you expect.
    /// </summary>
    [Range(0.01, 1440)]
    public double StuckJobMinutes { get; set; } = 60;

    /// <summary>The folder of catalogue files, relative to the content root.</summary>
    [Required]
    public string CatalogueDirectory { get; set; } = "jobs";
}
