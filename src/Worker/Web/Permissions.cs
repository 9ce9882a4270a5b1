namespace Worker.Web;

/// <summary>The permission names the web layer checks, and the authorization policies built on them.</summary>
public static class Permissions
{
    public const string ClaimType = "permission";

    /// <summary>The user's role name (from public.profiles), added with the permissions on each request.</summary>
    public const string RoleClaimType = "worker_role";

    public const string ViewJobRuns = "view_job_runs";
    public const string ActOnJobRuns = "act_on_job_runs";
    public const string UploadMarketingData = "upload_marketing_data";
    public const string ReadKpis = "read_kpis";

    /// <summary>Policy: may open the dashboard (view or act).</summary>
    public const string ViewJobsPolicy = "ViewJobs";

    /// <summary>Policy: may upload marketing data and see imports.</summary>
    public const string UploadPolicy = "UploadMarketingData";

    /// <summary>Policy: may trigger, retry and delete jobs.</summary>
    public const string ActOnJobsPolicy = "ActOnJobs";

    /// <summary>Policy: may open an import's details (who uploads, and who watches job runs), read-only for the latter.</summary>
    public const string ViewImportsPolicy = "ViewImports";

    /// <summary>A permission as the pages say it ("what your role may do").</summary>
    public static string Describe(string permission) => permission switch
    {
        "read_sales_leads" => "read sales leads",
        "read_all_sales_leads" => "read every salesperson's leads",
        "edit_sales_leads" => "edit sales leads",
        "read_marketing_data" => "read marketing data",
        "edit_marketing_data" => "edit marketing data",
        UploadMarketingData => "upload marketing data",
        "read_ops_tickets" => "read ops tickets",
        "edit_ops_tickets" => "edit ops tickets",
        "read_finance_data" => "read finance data",
        "edit_finance_data" => "edit finance data",
        "edit_master_data" => "edit master data",
        ReadKpis => "read KPIs",
        "manage_kpi_definitions" => "manage KPI definitions",
        ViewJobRuns => "view job runs",
        ActOnJobRuns => "run, retry and delete jobs",
        "manage_users" => "manage users",
        "read_audit_logs" => "read the audit trail",
        _ => permission.Replace('_', ' '),
    };
}
