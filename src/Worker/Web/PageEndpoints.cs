using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Worker.Web.Components;

namespace Worker.Web;

/// <summary>
/// The start page, the account page, and the pages browsers get instead of a bare status code: a
/// refusal page (403) for signed-in users, an error page in the layout for other errors. Scripts and
/// API clients keep their status codes with problem JSON.
/// </summary>
internal static class PageEndpoints
{
    /// <summary>Renders a page component (with its layout) with a status code.</summary>
    public static RazorComponentResult Page<TComponent>(object? parameters = null, int statusCode = StatusCodes.Status200OK)
        where TComponent : Microsoft.AspNetCore.Components.IComponent =>
        new RazorComponentResult<TComponent>(parameters ?? new { }) { StatusCode = statusCode, ContentType = "text/html; charset=utf-8" };

    /// <summary>Markup a component rendered to a string (HtmlRenderer), shown in the layout.</summary>
    public static RazorComponentResult Rendered(string title, string renderedHtml, int statusCode = StatusCodes.Status200OK) =>
        Page<RenderedPage>(new { Title = title, Html = renderedHtml }, statusCode);

    public static void UseWorkerErrorPages(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandler = WriteExceptionAsync,
                SuppressDiagnosticsCallback = context => RequestErrors.IsNotServerError(context.HttpContext, context.Exception),
            });
        }

        app.UseStatusCodePages(new StatusCodePagesOptions { HandleAsync = context => WriteStatusAsync(context.HttpContext) });
    }

    public static void MapWorkerPages(this WebApplication app)
    {
        // Each user starts where their work is (WorkerPages.LandingFor).
        app.MapGet("/", (HttpContext http, WorkerPages pages) => Results.Redirect(pages.LandingFor(StaffUser.From(http.User))))
            .RequireAuthorization();
        app.MapGet(WorkerPages.AccountPath, () => Page<AccountPage>()).RequireAuthorization();
    }

    /// <summary>A browser asking for a page (a link, a form), not a script or an API client.</summary>
    public static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api")
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
        && request.Headers.XRequestedWith != "XMLHttpRequest";

    private static async Task WriteStatusAsync(HttpContext http)
    {
        var status = http.Response.StatusCode;
        if (!WantsPage(http.Request))
        {
            await WriteProblemAsync(http, status, detail: null);
            return;
        }

        IResult page = status switch
        {
            StatusCodes.Status403Forbidden when http.User.Identity?.IsAuthenticated == true => Page<RefusedPage>(new { Path = http.Request.Path.Value ?? "/" }, status),
            StatusCodes.Status404NotFound => Page<StatusPage>(new { Title = "Not found", Message = "There is no page at this address. It may have moved, or the link is wrong." }, status),
            StatusCodes.Status405MethodNotAllowed => Page<StatusPage>(new { Title = "Not here", Message = "This address does not take that kind of request." }, status),
            _ => Page<StatusPage>(new { Title = ReasonPhrase(status), Message = $"The request could not be served ({status} {ReasonPhrase(status)})." }, status),
        };
        await page.ExecuteAsync(http);
    }

    private static async Task WriteExceptionAsync(HttpContext http)
    {
        if (RequestErrors.ClientError(http.Features.Get<IExceptionHandlerFeature>()?.Error) is { } clientError)
        {
            http.Response.StatusCode = clientError.Status;
            await WriteProblemAsync(http, clientError.Status, clientError.Detail);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        if (!WantsPage(http.Request))
        {
            await WriteProblemAsync(http, StatusCodes.Status500InternalServerError, "The worker could not complete the request. Ops can find it in the log by its trace id.");
            return;
        }

        await Page<StatusPage>(new
        {
            Title = "Something went wrong",
            Message = "The worker could not complete this request. Nothing you did caused it; try again, and if it keeps happening tell ops the request id below.",
            RequestId = http.TraceIdentifier,
        }, StatusCodes.Status500InternalServerError).ExecuteAsync(http);
    }

    private static async Task WriteProblemAsync(HttpContext http, int status, string? detail)
    {
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = ReasonPhrase(status), Detail = detail },
        });
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
