using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Worker.Web;

namespace Worker.Kpi;

/// <summary>
/// The KPI page (/kpis), the same cards as JSON (GET /api/kpis) and as a CSV download (GET /kpis.csv):
/// every KPI the signed-in user may read, read as that user (the database's own rules decide). Signed-in
/// users need read_kpis; browsers without a session are sent to sign in, scripts get 401.
/// </summary>
internal static class KpiEndpoints
{
    public const string PagePath = "/kpis";

    public static WebApplication MapKpis(this WebApplication app)
    {
        var readKpis = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser().RequireClaim(Permissions.ClaimType, Permissions.ReadKpis).Build();

        app.MapGet(PagePath, async (HttpContext http, IKpiScorecard scorecard, CancellationToken cancellationToken) =>
            new RazorComponentResult<KpiPage>(new { Cards = await ReadAsync(http, scorecard, cancellationToken), Now = DateTimeOffset.UtcNow })
            {
                ContentType = "text/html; charset=utf-8",
            }).RequireAuthorization(readKpis);

        app.MapGet("/api/kpis", async (HttpContext http, IKpiScorecard scorecard, CancellationToken cancellationToken) =>
            Results.Json(new { kpis = await ReadAsync(http, scorecard, cancellationToken) }, System.Text.Json.JsonSerializerOptions.Web))
            .RequireAuthorization(readKpis);

        app.MapGet(PagePath + ".csv", async (HttpContext http, IKpiScorecard scorecard, CancellationToken cancellationToken) =>
            Results.File(Encoding.UTF8.GetBytes(ToCsv(await ReadAsync(http, scorecard, cancellationToken))), "text/csv; charset=utf-8",
                $"kpis-{DateTime.UtcNow:yyyy-MM-dd}.csv"))
            .RequireAuthorization(readKpis);
        return app;
    }

    private static async Task<IReadOnlyList<KpiCard>> ReadAsync(HttpContext http, IKpiScorecard scorecard, CancellationToken cancellationToken) =>
        Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? http.User.FindFirstValue("sub"), out var userId)
            ? await scorecard.ReadForUserAsync(userId, cancellationToken)
            : [];

    internal static string ToCsv(IReadOnlyList<KpiCard> cards)
    {
        var csv = new StringBuilder();
        csv.AppendLine("domain,kpi,grain,period_kind,period_start,period_end,value,target,attainment,status,comparison_value,change,revised_from,revised_at,data_as_of,computed_at,error");
        foreach (var c in cards)
        {
            csv.AppendLine(string.Join(',',
                Field(c.Domain), Field(c.Name), c.Grain, c.PeriodKind, Date(c.PeriodStart), Date(c.PeriodEnd), Number(c.Value), Number(c.Target),
                Number(c.Attainment), c.Status, Number(c.ComparisonValue), Number(c.Change), Number(c.RevisedFrom), Instant(c.RevisedAt),
                Instant(c.DataAsOf), Instant(c.ComputedAt), Field(c.Error)));
        }

        return csv.ToString();
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static string Instant(DateTimeOffset? value) => value?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "";

    /// <summary>Quoted when needed; a leading =, +, - or @ is defused so a spreadsheet never runs it as a formula.</summary>
    private static string Field(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        if (text[0] is '=' or '+' or '-' or '@')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
