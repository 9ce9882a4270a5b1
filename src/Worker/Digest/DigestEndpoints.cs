using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using MimeKit;
using Worker.Digest.Components;
using Worker.Jobs;
using Worker.Mail;
using Worker.Web;

namespace Worker.Digest;

/// <summary>
/// <c>/digest/preview</c>: a signed-in user sees exactly the e-mail they would receive (the same
/// components, their own slice read as them), pauses or resumes it, and ops send themselves a test.
/// </summary>
internal static class DigestEndpoints
{
    public static void MapDigest(this WebApplication app)
    {
        var preview = app.MapGroup("/digest/preview").RequireAuthorization();

        preview.MapGet("", async (HttpContext http, DigestPreview digest, string? notice) =>
        {
            var reader = await digest.ForAsync(http.User, http.RequestAborted);
            return new RazorComponentResult<DigestPreviewPage>(new Dictionary<string, object?>
            {
                [nameof(DigestPreviewPage.Content)] = reader.Content,
                [nameof(DigestPreviewPage.Receives)] = reader.Receives,
                [nameof(DigestPreviewPage.Paused)] = reader.Paused,
                [nameof(DigestPreviewPage.CanSendTest)] = http.User.HasClaim(Permissions.ClaimType, Permissions.ActOnJobRuns),
                [nameof(DigestPreviewPage.Grain)] = reader.Content.Period.Grain,
                [nameof(DigestPreviewPage.TimeZone)] = reader.Content.ZoneLabel,
                [nameof(DigestPreviewPage.Notice)] = notice switch
                {
                    "sent" => "A test digest is on its way to your address.",
                    "paused" => "Your digest is paused.",
                    "resumed" => "Your digest is resumed.",
                    _ => null,
                },
            }) { ContentType = "text/html; charset=utf-8" };
        });

        preview.MapGet("/email", async (HttpContext http, DigestPreview digest, DigestRenderer renderer) =>
        {
            var reader = await digest.ForAsync(http.User, http.RequestAborted);
            var html = await renderer.RenderHtmlAsync(reader.Content, d => DigestCharts.Trend(d) is null ? null : $"/digest/preview/chart/{d.Domain}.png");
            http.Response.Headers.CacheControl = "no-store";
            return Results.Content(html, "text/html; charset=utf-8");
        });

        preview.MapGet("/chart/{domain}.png", async (HttpContext http, DigestPreview digest, string domain) =>
        {
            var reader = await digest.ForAsync(http.User, http.RequestAborted);
            http.Response.Headers.CacheControl = "no-store";
            return reader.Content.Domains.FirstOrDefault(d => d.Domain == domain) is { } found && DigestCharts.Trend(found) is { } png
                ? Results.File(png, "image/png")
                : Results.NotFound();
        });

        preview.MapPost("/pause", async (HttpContext http, DigestRecipients recipients, [FromForm] bool paused) =>
        {
            await recipients.SetPausedAsync(DigestPreview.UserId(http.User), paused, http.RequestAborted);
            return Results.Redirect("/digest/preview?notice=" + (paused ? "paused" : "resumed"));
        }).DisableAntiforgery().AddEndpointFilter(ValidateAntiforgery);

        preview.MapPost("/test", async (HttpContext http, DigestPreview digest, DigestRenderer renderer, SmtpMailer mailer, ILogger<DigestPreview> logger) =>
        {
            if (!mailer.Configured)
            {
                return Results.Content("No SMTP server is configured (Smtp:Host is empty): nothing can be sent.", "text/plain", statusCode: StatusCodes.Status409Conflict);
            }

            var reader = await digest.ForAsync(http.User, http.RequestAborted);
            if (reader.Address is not { Length: > 0 } address || !MailboxAddress.TryParse(address, out var to))
            {
                return Results.Content("Your account has no mail address.", "text/plain", statusCode: StatusCodes.Status409Conflict);
            }

            var rendered = await renderer.RenderAsync(reader.Content with { });
            var message = rendered.ToMessage(mailer.From, new MailboxAddress(reader.Content.RecipientName, to.Address));
            message.Subject = "[test] " + message.Subject;
            await mailer.SendAsync(message, http.RequestAborted);
            DigestPreviewLog.TestSent(logger, DigestPreview.UserId(http.User));
            return Results.Redirect("/digest/preview?notice=sent");
        }).RequireAuthorization(Permissions.ActOnJobsPolicy).DisableAntiforgery().AddEndpointFilter(ValidateAntiforgery);
    }

    private static async ValueTask<object?> ValidateAntiforgery(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
        return await antiforgery.IsRequestValidAsync(context.HttpContext)
            ? await next(context)
            : Results.Content("The form expired or did not come from this site. Open the page again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
    }
}

/// <summary>The signed-in user's digest, composed as the job would compose it for them.</summary>
internal sealed class DigestPreview(DigestComposer composer, DigestRecipients recipients, JobCatalogue catalogue, TimeProvider time)
{
    public sealed record Reader(DigestContent Content, bool Receives, bool Paused, string? Address);

    public async Task<Reader> ForAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var userId = UserId(user);
        var parameters = catalogue.Contains(DigestJob.TypeName) && catalogue.Get(DigestJob.TypeName).Parameters is DigestJobParameters p ? p : new DigestJobParameters();
        var now = time.GetUtcNow();
        var period = DigestPeriod.LastComplete(parameters.Grain, now, TimeZoneInfo.FindSystemTimeZoneById(parameters.TimeZone));
        var (timeZone, paused, receives) = await recipients.ForUserAsync(userId, cancellationToken);
        var name = user.FindFirstValue(ClaimTypes.Name) is { Length: > 0 } n ? n : user.FindFirstValue(ClaimTypes.Email) ?? "there";
        var content = await composer.ComposeAsync(userId, null, name, timeZone, period, now, cancellationToken);
        return new Reader(content, receives, paused, user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue("email"));
    }

    public static Guid UserId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub"), out var id)
            ? id
            : throw new InvalidOperationException("A signed-in user without an id.");
}

internal static partial class DigestPreviewLog
{
    [LoggerMessage(9111, LogLevel.Information, "Test digest sent to user {UserId}")]
    public static partial void TestSent(ILogger logger, Guid userId);
}
