using Hangfire;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Worker.Jobs;
using Worker.Web.EtlSections;

namespace Worker.Web;

/// <summary>
/// The dashboard's ETL page for ops, inside Hangfire's layout: a list of sections, each a Razor
/// component (Web/EtlSections/) that loads what it shows. Users who may act on jobs get a "Run now"
/// button per job, confirmed on the page once queued.
/// </summary>
internal sealed class EtlPage : RazorPage
{
    public const string Path = "/etl";

    /// <summary>
    /// The page's sections, top to bottom. To add one, write a component with
    /// <c>[Parameter] public EtlSectionContext Context { get; set; }</c> that injects what it needs and
    /// renders an <c>&lt;h3&gt;</c> and its table, then add its type here (docs/architecture.md).
    /// </summary>
    public static readonly IReadOnlyList<Type> Sections =
    [
        typeof(JobsSection),
        typeof(FreshnessSection),
        typeof(Ga4Section),
        typeof(ImportsSection),
        typeof(DigestSection),
        typeof(FailuresSection),
    ];

    private static int _registered;

    /// <summary>Adds the page to Hangfire's routes and menu, which are process-wide: once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        DashboardRoutes.Routes.AddRazorPage(Path, _ => new EtlPage());
        DashboardRoutes.Routes.Add(Path + "/run/(?<JobId>[a-z0-9-]+)", new RunNowDispatcher());
        NavigationMenu.Items.Add(page => new MenuItem("ETL", page.Url.To(Path)) { Active = page.RequestPath.StartsWith(Path, StringComparison.Ordinal) });
    }

    public override void Execute()
    {
        Layout = new LayoutPage("ETL");
        var http = Context.GetHttpContext();
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var context = new EtlSectionContext(
            IsReadOnly,
            Url.To,
            tokens.FormFieldName,
            tokens.RequestToken ?? "",
            StaffUser.From(http.User),
            http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal));
        WriteLiteral(RenderSections(http.RequestServices, context));
    }

    /// <summary>The sections as HTML. Hangfire's pages render synchronously, so this waits for the components.</summary>
    private static string RenderSections(IServiceProvider services, EtlSectionContext context)
    {
        using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        var parameters = ParameterView.FromDictionary(new Dictionary<string, object?> { ["Sections"] = Sections, ["Context"] = context });
        var body = renderer.Dispatcher.InvokeAsync(async () => (await renderer.RenderComponentAsync<EtlSectionHost>(parameters)).ToHtmlString())
            .GetAwaiter().GetResult();
        return "<div class=\"row\"><div class=\"col-md-12 etl-page\"><h1 class=\"page-header\">ETL</h1>" + body + "</div></div>";
    }

    /// <summary>
    /// "Run now": queues the job as a manual run. The page's form is answered with a redirect to the
    /// page saying it was queued; a script (X-Requested-With) gets 204 like Hangfire's own commands.
    /// </summary>
    private sealed class RunNowDispatcher : IDashboardDispatcher
    {
        public Task Dispatch(DashboardContext context)
        {
            var http = context.GetHttpContext();
            if (!HttpMethods.IsPost(http.Request.Method))
            {
                http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return Task.CompletedTask;
            }

            if (context.IsReadOnly)
            {
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }

            var catalogue = http.RequestServices.GetRequiredService<JobCatalogue>();
            var jobId = context.UriMatch.Groups["JobId"].Value;
            if (!catalogue.Contains(jobId))
            {
                http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return Task.CompletedTask;
            }

            var hangfireId = JobRunner.Enqueue(http.RequestServices.GetRequiredService<IBackgroundJobClientV2>(), catalogue.Get(jobId), "manual");
            if (http.Request.Headers.XRequestedWith == "XMLHttpRequest")
            {
                http.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else
            {
                http.Response.StatusCode = StatusCodes.Status303SeeOther;
                http.Response.Headers.Location = new UrlHelper(context).To(Path)
                    + "?queued=" + Uri.EscapeDataString(jobId) + "&job=" + Uri.EscapeDataString(hangfireId);
            }

            return Task.CompletedTask;
        }
    }
}
