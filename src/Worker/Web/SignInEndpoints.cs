using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Worker.Web.Components;

namespace Worker.Web;

/// <summary>Staff sign in with their Supabase account (email and password); the cookie carries only who they are.</summary>
internal static class SignInEndpoints
{
    public static void MapSignIn(this WebApplication app)
    {
        app.MapGet("/signin", (string? returnUrl) =>
            Form(returnUrl, email: null, message: null, statusCode: 200));

        app.MapPost("/signin", async (HttpContext http, StaffDirectory staff, SignInThrottle throttle,
            IClaimsTransformation permissions, WorkerPages pages, ILogger<StaffDirectory> logger, [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl) =>
        {
            email ??= "";
            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (!throttle.TryAttempt(address, email))
            {
                SignInLog.Throttled(logger, address);
                http.Response.Headers.RetryAfter = "60";
                return Form(returnUrl, email, "Too many sign-in attempts. Wait a minute and try again.", StatusCodes.Status429TooManyRequests);
            }

            var result = await staff.SignInAsync(email, password ?? "", http.RequestAborted);
            if (result.Outcome != SignInOutcome.SignedIn)
            {
                SignInLog.Refused(logger, result.Outcome, address);
                var message = result.Outcome switch
                {
                    SignInOutcome.Unconfirmed => "This account's email address is not confirmed yet.",
                    SignInOutcome.Banned => "This account is suspended.",
                    SignInOutcome.Deleted => "This account no longer exists.",
                    _ => "Email or password is wrong.",
                };
                return Form(returnUrl, email, message, StatusCodes.Status401Unauthorized);
            }

            var identity = new ClaimsIdentity(
                [
                    new Claim(ClaimTypes.NameIdentifier, result.UserId.ToString()),
                    new Claim(ClaimTypes.Name, result.FullName ?? result.Email ?? ""),
                    new Claim(ClaimTypes.Email, result.Email ?? ""),
                ],
                CookieAuthenticationDefaults.AuthenticationScheme);
            var principal = new ClaimsPrincipal(identity);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
            SignInLog.SignedIn(logger, result.UserId);
            // Back where the user was going when that is a page of this site, else where their work is.
            return Results.Redirect(ReturnUrl.Local(returnUrl) ?? pages.LandingFor(StaffUser.From(await permissions.TransformAsync(principal))));
        }).DisableAntiforgery().AddEndpointFilter(ValidateAntiforgery);

        app.MapPost("/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/signin");
        }).AddEndpointFilter(ValidateAntiforgery).DisableAntiforgery();
    }

    /// <summary>Antiforgery checked explicitly, so a bad token gets the sign-in page with a message, not a bare 400.</summary>
    private static async ValueTask<object?> ValidateAntiforgery(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context.HttpContext))
        {
            return Form(returnUrl: null, email: null,
                "The form expired or did not come from this site. Please try again.", StatusCodes.Status400BadRequest);
        }

        return await next(context);
    }

    private static IResult Form(string? returnUrl, string? email, string? message, int statusCode)
    {
        return PageEndpoints.Page<SignInPage>(new { ReturnUrl = ReturnUrl.Local(returnUrl) ?? "", Email = email, Message = message }, statusCode);
    }
}

internal static partial class SignInLog
{
    [LoggerMessage(4001, LogLevel.Information, "User {UserId} signed in")]
    public static partial void SignedIn(ILogger logger, Guid userId);

    [LoggerMessage(4002, LogLevel.Warning, "Sign-in refused ({Outcome}) from {Address}")]
    public static partial void Refused(ILogger logger, SignInOutcome outcome, string address);

    [LoggerMessage(4003, LogLevel.Warning, "Sign-in attempts from {Address} throttled")]
    public static partial void Throttled(ILogger logger, string address);
}
