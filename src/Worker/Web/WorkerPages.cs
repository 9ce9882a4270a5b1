using Microsoft.AspNetCore.Routing.Patterns;

namespace Worker.Web;

/// <summary>A page of the worker that the navigation links to, and who may open it.</summary>
public sealed record WorkerPage(string Title, string Path, Func<StaffUser, bool> MayOpen);

/// <summary>
/// The worker's pages in navigation order, which of them a user may open, and where a user lands
/// after signing in. A page is listed only once its endpoint is mapped, so a link to a page another
/// part of the worker has not added yet never appears (and landing simply moves on to the next page).
/// </summary>
public sealed class WorkerPages(EndpointDataSource endpoints)
{
    public const string AccountPath = "/account";

    private static bool MayViewJobs(StaffUser user) => user.May(Permissions.ViewJobRuns) || user.May(Permissions.ActOnJobRuns);

    /// <summary>The navigation, in order. To add a page: one line here, with the permission that opens it.</summary>
    public static readonly IReadOnlyList<WorkerPage> Navigation =
    [
        new("KPIs", "/kpis", user => user.May(Permissions.ReadKpis)),
        new("Digest", "/digest/preview", user => user.May(Permissions.ReadKpis)),
        new("Uploads", "/uploads", user => user.May(Permissions.UploadMarketingData)),
        new("ETL", "/hangfire/etl", MayViewJobs),
        new("Jobs", "/hangfire/jobs/enqueued", MayViewJobs),
    ];

    /// <summary>
    /// Where users land after signing in: the first of these they may open. Those who run jobs (ops)
    /// land on the ETL page, those who upload (marketing) on Uploads, everyone else (directors, the
    /// domain roles) on the KPIs, or else whatever they may open (until the KPI page exists: the digest preview).
    /// </summary>
    private static readonly IReadOnlyList<WorkerPage> LandingOrder =
    [
        new("ETL", "/hangfire/etl", user => user.May(Permissions.ActOnJobRuns)),
        new("Uploads", "/uploads", user => user.May(Permissions.UploadMarketingData)),
        new("KPIs", "/kpis", user => user.May(Permissions.ReadKpis)),
        new("ETL", "/hangfire/etl", MayViewJobs),
        new("Digest", "/digest/preview", user => user.May(Permissions.ReadKpis)),
    ];

    private readonly Lazy<IReadOnlyList<(string Path, bool CatchAll)>> _mapped = new(() => endpoints.Endpoints
        .OfType<RouteEndpoint>()
        .Select(e => Normalise(e.RoutePattern))
        .ToList());

    /// <summary>The navigation links this user may open.</summary>
    public IReadOnlyList<WorkerPage> VisibleTo(StaffUser user) => Navigation.Where(p => p.MayOpen(user) && IsMapped(p.Path)).ToList();

    /// <summary>The page this user lands on after signing in; the account page when there is none.</summary>
    public string LandingFor(StaffUser? user) =>
        user is null ? "/signin" : LandingOrder.FirstOrDefault(p => p.MayOpen(user) && IsMapped(p.Path))?.Path ?? AccountPath;

    public bool IsMapped(string path) => _mapped.Value.Any(m =>
        string.Equals(m.Path, path, StringComparison.OrdinalIgnoreCase)
        || (m.CatchAll && path.StartsWith(m.Path + "/", StringComparison.OrdinalIgnoreCase)));

    private static (string Path, bool CatchAll) Normalise(RoutePattern pattern)
    {
        var literal = new List<string>();
        var catchAll = false;
        foreach (var segment in pattern.PathSegments)
        {
            if (segment.Parts is [RoutePatternParameterPart { IsCatchAll: true }])
            {
                catchAll = true;
                break;
            }

            if (segment.Parts is not [RoutePatternLiteralPart part])
            {
                catchAll = true; // "/uploads/{id}": the literal prefix is a page, anything under it may be
                break;
            }

            literal.Add(part.Content);
        }

        return ("/" + string.Join('/', literal), catchAll);
    }
}
