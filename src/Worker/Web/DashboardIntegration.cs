using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Worker.Jobs;
using Worker.Web.Components;

namespace Worker.Web;

/// <summary>
/// Makes the Hangfire dashboard part of the same product: its menu links back to the worker's pages
/// the user may open and to sign-out, a little style and script of ours ride in its bundles, and its
/// "Trigger now" on Recurring Jobs is recorded as the manual run it is.
/// </summary>
internal static class DashboardIntegration
{
    private static int _registered;

    /// <summary>Hangfire's menu and bundles are process-wide: once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        DashboardRoutes.AddStylesheet(typeof(DashboardIntegration).Assembly, "Web/dashboard.css");
        DashboardRoutes.AddJavaScript(typeof(DashboardIntegration).Assembly, "Web/dashboard.js");

        // The worker's own pages the user may open (the dashboard itself and ETL are Hangfire's items).
        foreach (var link in WorkerPages.Navigation.Where(p => !p.Path.StartsWith("/hangfire", StringComparison.Ordinal)))
        {
            NavigationMenu.Items.Add(page => User(page) is { } user && Pages(page).VisibleTo(user).Contains(link) ? new MenuItem(link.Title, link.Path) : null);
        }

        NavigationMenu.Items.Add(page => User(page) is { } user ? new MenuItem($"{user.Name} ({user.Role})", WorkerPages.AccountPath) : null);
        NavigationMenu.Items.Add(page => User(page) is not null ? new MenuItem("Sign out", "/signout") : null);
    }

    /// <summary>
    /// "Trigger now" on the Recurring Jobs page. Hangfire would create the run from the recurring job,
    /// whose stored arguments say trigger "schedule"; this route (more specific than the dashboard's
    /// catch-all) queues catalogue jobs as trigger "manual" instead, and answers as Hangfire does.
    /// </summary>
    public static void MapRecurringTrigger(this WebApplication app, string dashboardPath)
    {
        app.MapPost(dashboardPath + "/recurring/trigger", async (HttpContext http, IAntiforgery antiforgery, JobCatalogue catalogue,
            IBackgroundJobClientV2 jobs, IRecurringJobManagerV2 recurring) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }

            if (!http.User.HasClaim(Permissions.ClaimType, Permissions.ActOnJobRuns))
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized); // what the read-only dashboard answers
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            foreach (var id in form["jobs[]"].OfType<string>())
            {
                if (catalogue.Contains(id))
                {
                    JobRunner.Enqueue(jobs, catalogue.Get(id), "manual");
                }
                else
                {
                    recurring.TriggerJob(id); // not ours: Hangfire's own behaviour
                }
            }

            return Results.NoContent();
        }).RequireAuthorization(Permissions.ViewJobsPolicy).DisableAntiforgery();

        // The dashboard's menu links here; its script turns the link into the POST (GET shows a button).
        app.MapGet("/signout", () => PageEndpoints.Page<SignOutPage>()).RequireAuthorization();
    }

    private static StaffUser? User(RazorPage page) => StaffUser.From(page.Context.GetHttpContext().User);

    private static WorkerPages Pages(RazorPage page) => page.Context.GetHttpContext().RequestServices.GetRequiredService<WorkerPages>();
}
