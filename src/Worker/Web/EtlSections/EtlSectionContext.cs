namespace Worker.Web.EtlSections;

/// <summary>
/// What every section of the ETL page gets: whether the viewer may act on jobs, how to link into the
/// dashboard, the anti-forgery field for forms that post, and who is looking.
/// </summary>
/// <param name="IsReadOnly">The viewer may only view job runs (directors): no buttons.</param>
/// <param name="DashboardUrl">Turns a dashboard path ("/jobs/details/42") into a link under the dashboard's prefix.</param>
/// <param name="AntiforgeryFieldName">The form field of the anti-forgery token (for forms that post to the dashboard).</param>
/// <param name="AntiforgeryToken">Its value.</param>
/// <param name="User">Who is signed in.</param>
/// <param name="Query">The page's query string (e.g. the confirmation after "Run now").</param>
public sealed record EtlSectionContext(
    bool IsReadOnly,
    Func<string, string> DashboardUrl,
    string AntiforgeryFieldName,
    string AntiforgeryToken,
    StaffUser? User,
    IReadOnlyDictionary<string, string> Query);
