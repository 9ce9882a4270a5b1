namespace Worker.Web;

/// <summary>The permission names the web layer checks, and the authorization policies built on them.</summary>
public static class Permissions
{
    public const string ClaimType = "permission";

    public const string ViewJobRuns = "view_job_runs";
    public const string ActOnJobRuns = "act_on_job_runs";
    public const string UploadMarketingData = "upload_marketing_data";

    /// <summary>Policy: may open the dashboard (view or act).</summary>
    public const string ViewJobsPolicy = "ViewJobs";

    /// <summary>Policy: may upload marketing data and see imports.</summary>
    public const string UploadPolicy = "UploadMarketingData";

    /// <summary>Policy: may trigger, retry and delete jobs.</summary>
    public const string ActOnJobsPolicy = "ActOnJobs";
}
