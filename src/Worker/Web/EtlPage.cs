using System.Globalization;
using System.Text;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using Hangfire.Storage;
using Worker.Jobs;

namespace Worker.Web;

/// <summary>
/// The dashboard's ETL page for ops: each catalogue job with its schedule, last success and last
/// failure, how fresh each ingested dataset is, and the latest failures. Users who may act on jobs get
/// a "Run now" button per job.
/// </summary>
internal sealed class EtlPage : RazorPage
{
    public const string Path = "/etl";

    private static int _registered;

    /// <summary>Adds the page to Hangfire's routes and menu, which are process-wide: once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1)
        {
            return;
        }

        DashboardRoutes.Routes.AddRazorPage(Path, _ => new EtlPage());
        DashboardRoutes.Routes.AddCommand(Path + "/run/(?<JobId>[a-z0-9-]+)", context =>
        {
            var services = context.GetHttpContext().RequestServices;
            var catalogue = services.GetRequiredService<JobCatalogue>();
            var jobId = context.UriMatch.Groups["JobId"].Value;
            if (!catalogue.Contains(jobId))
            {
                return false;
            }

            JobRunner.Enqueue(services.GetRequiredService<IBackgroundJobClientV2>(), catalogue.Get(jobId), "manual");
            return true;
        });
        NavigationMenu.Items.Add(page => new MenuItem("ETL", page.Url.To(Path)) { Active = page.RequestPath.StartsWith(Path, StringComparison.Ordinal) });
    }

    public override void Execute()
    {
        Layout = new LayoutPage("ETL");
        var services = Context.GetHttpContext().RequestServices;
        var catalogue = services.GetRequiredService<JobCatalogue>();
        var overview = services.GetRequiredService<EtlOverview>();
        var successes = overview.LastSuccesses();
        var failures = overview.LastFailures();
        Dictionary<string, RecurringJobDto> recurring;
        using (var connection = Context.Storage.GetConnection())
        {
            recurring = connection.GetRecurringJobs().ToDictionary(r => r.Id);
        }

        var html = new StringBuilder();
        html.Append("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">ETL</h1>");
        html.Append("<h3>Jobs</h3><div class=\"table-responsive\"><table class=\"table etl-jobs\"><thead><tr>")
            .Append("<th>Job</th><th>Schedule</th><th>Next run</th><th>Last success</th><th>Duration</th><th>Rows read / written</th><th>Last failure</th>")
            .Append(IsReadOnly ? "" : "<th></th>")
            .Append("</tr></thead><tbody>");
        foreach (var job in catalogue.Jobs.OrderBy(j => j.Id, StringComparer.Ordinal))
        {
            successes.TryGetValue(job.Id, out var success);
            failures.TryGetValue(job.Id, out var failure);
            recurring.TryGetValue(job.Id, out var dto);
            html.Append("<tr data-job=\"").Append(E(job.Id)).Append("\">")
                .Append("<td><strong>").Append(E(job.Id)).Append("</strong><br><small>").Append(E(job.Type)).Append("</small></td>")
                .Append("<td><code>").Append(E(job.Cron)).Append("</code> ").Append(E(job.TimeZone.Id)).Append(job.Enabled ? "" : " <span class=\"label label-default\">disabled</span>").Append("</td>")
                .Append("<td>").Append(dto?.NextExecution is { } next ? Time(next) : "—").Append("</td>")
                .Append("<td class=\"last-success\">").Append(success is null ? "never" : Time(success.StartedAt)).Append("</td>")
                .Append("<td>").Append(success?.Duration is { } d ? E(d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)) + " s" : "—").Append("</td>")
                .Append("<td>").Append(success is null ? "—" : E($"{success.RowsRead:N0} / {success.RowsWritten:N0}")).Append("</td>")
                .Append("<td class=\"last-failure\">").Append(failure is null || (success is not null && success.StartedAt > failure.StartedAt)
                    ? (failure is null ? "—" : Time(failure.StartedAt) + " <small>(recovered since)</small>")
                    : "<span class=\"text-danger\">" + Time(failure.StartedAt) + ": " + E(failure.Error) + "</span>").Append("</td>");
            if (!IsReadOnly)
            {
                html.Append("<td><button class=\"btn btn-sm btn-primary js-run-now\" data-ajax=\"")
                    .Append(E(Url.To(Path + "/run/" + job.Id))).Append("\" data-loading-text=\"Queued\">Run now</button></td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table></div>");

        html.Append("<h3>Data freshness</h3><table class=\"table etl-freshness\"><thead><tr><th>Dataset</th><th>Latest date</th><th>Rows</th></tr></thead><tbody>");
        foreach (var dataset in overview.DataFreshness())
        {
            html.Append("<tr><td>").Append(E(dataset.Dataset)).Append("</td><td>")
                .Append(dataset.LatestDate is { } latest ? E(latest.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : "no data")
                .Append("</td><td>").Append(E(dataset.Rows.ToString("N0", CultureInfo.InvariantCulture))).Append("</td></tr>");
        }

        html.Append("</tbody></table>");

        html.Append("<h3>Recent imports</h3>");
        var imports = overview.RecentImports(10);
        if (imports.Count == 0)
        {
            html.Append("<p class=\"etl-no-imports\">No imports yet.</p>");
        }
        else
        {
            html.Append("<table class=\"table etl-imports\"><thead><tr><th>When</th><th>Who</th><th>Dataset</th><th>File</th><th>Status</th><th>Inserted / updated / unchanged / rejected</th></tr></thead><tbody>");
            foreach (var import in imports)
            {
                html.Append("<tr><td>").Append(Time(import.CreatedAt)).Append("</td><td>").Append(E(import.UploadedByName)).Append(" (").Append(E(import.Source))
                    .Append(")</td><td>").Append(E(import.Dataset)).Append("</td><td><a href=\"/uploads/").Append(import.Id).Append("\">").Append(E(import.FileName))
                    .Append("</a></td><td>").Append(E(import.Status.Replace('_', ' '))).Append("</td><td>")
                    .Append(E($"{import.Inserted} / {import.Updated} / {import.Unchanged} / {import.Rejected}")).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        AppendDigestDeliveries(html, services.GetRequiredService<Worker.Digest.DigestDeliveries>().Latest(10));

        html.Append("<h3>Recent failures</h3>");
        var recent = overview.RecentFailures(10);
        if (recent.Count == 0)
        {
            html.Append("<p class=\"etl-no-failures\">No failed runs.</p>");
        }
        else
        {
            html.Append("<table class=\"table etl-failures\"><thead><tr><th>When</th><th>Job</th><th>Trigger</th><th>Error</th></tr></thead><tbody>");
            foreach (var failed in recent)
            {
                html.Append("<tr><td>").Append(Time(failed.StartedAt)).Append("</td><td>").Append(E(failed.JobId))
                    .Append("</td><td>").Append(E(failed.Trigger)).Append("</td><td>").Append(E(failed.Error)).Append("</td></tr>");
            }

            html.Append("</tbody></table>");
        }

        html.Append("</div></div>");
        WriteLiteral(html.ToString());
    }

    /// <summary>The KPI digest's latest deliveries (worker.digest_deliveries); outside addresses masked.</summary>
    private static void AppendDigestDeliveries(StringBuilder html, IReadOnlyList<Worker.Digest.DigestDelivery> deliveries)
    {
        html.Append("<h3>Digest deliveries</h3>");
        if (deliveries.Count == 0)
        {
            html.Append("<p class=\"etl-no-digest\">No digest sent yet.</p>");
            return;
        }

        html.Append("<table class=\"table etl-digest\"><thead><tr><th>When</th><th>Period</th><th>Recipient</th><th>Channel</th><th>Status</th><th>Attempts</th><th>KPIs / reason</th></tr></thead><tbody>");
        foreach (var d in deliveries)
        {
            html.Append("<tr><td>").Append(Time(d.LastAttemptAt)).Append("</td><td>")
                .Append(E(d.PeriodStart.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " – " + d.PeriodEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
                .Append("</td><td>").Append(E(Worker.Digest.DigestDeliveries.Shown(d.RecipientName))).Append("</td><td>").Append(E(d.Channel))
                .Append("</td><td>").Append(d.Status == "failed" ? "<span class=\"text-danger\">failed</span>" : E(d.Status))
                .Append("</td><td>").Append(d.Attempts).Append("</td><td>").Append(E(d.Reason ?? d.Kpis?.ToString(CultureInfo.InvariantCulture))).Append("</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    private static string E(string? text) => HtmlPage.Encode(text);

    private static string Time(DateTime utc) =>
        E(DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
}
