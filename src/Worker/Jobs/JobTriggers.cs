namespace Worker.Jobs;

/// <summary>Why a job run started, as worker.job_runs.trigger records it (its check constraint lists exactly these).</summary>
public static class JobTriggers
{
    public const string Schedule = "schedule";
    public const string Manual = "manual";
    public const string Upload = "upload";
    public const string Command = "command";

    /// <summary>The debounced KPI refresh an ingestion asked for after it changed rows.</summary>
    public const string Ingestion = "ingestion";

    /// <summary>A job another job queued when it finished (kpi-snapshot after refresh-kpi-views).</summary>
    public const string AfterJob = "after-job";

    public static readonly IReadOnlyList<string> All = [Schedule, Manual, Upload, Command, Ingestion, AfterJob];
}
