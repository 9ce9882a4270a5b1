using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Worker.Security;

namespace Worker.Web;

/// <summary>What a signed-in user may do now: whether their account still admits them, their permissions and their role's name.</summary>
public sealed record StaffAccess(SignInOutcome Standing, IReadOnlySet<string> Permissions, string? Role)
{
    public bool Admitted => Standing == SignInOutcome.SignedIn;
}

/// <summary>
/// Re-checks every session against auth.users — banned, deleted and unconfirmed accounts lose access —
/// and reads the user's permissions, at most once per <see cref="AuthOptions.AccountCheckSeconds"/> per
/// user. Cookie and bearer sessions alike: a refused cookie is signed out, a refused token gets 401.
/// </summary>
public sealed class StaffSessions(StaffDirectory directory, UserPermissions permissions, IOptions<AuthOptions> options, TimeProvider time)
{
    private const int PruneAbove = 1_000;
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset Until, StaffAccess Access)> _checked = new();

    public async Task<StaffAccess> CheckAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_checked.TryGetValue(userId, out var known) && known.Until > now)
        {
            return known.Access;
        }

        var standing = await directory.StandingAsync(userId, cancellationToken);
        var granted = standing == SignInOutcome.SignedIn ? await permissions.ForUserAsync(userId, cancellationToken) : new HashSet<string>();
        var role = standing == SignInOutcome.SignedIn ? await permissions.RoleNameAsync(userId, cancellationToken) : null;
        var access = new StaffAccess(standing, granted, role);
        if (_checked.Count > PruneAbove)
        {
            foreach (var stale in _checked.Where(e => e.Value.Until <= now).ToList())
            {
                _checked.TryRemove(stale);
            }
        }

        _checked[userId] = (now.AddSeconds(options.Value.AccountCheckSeconds), access);
        return access;
    }

    /// <summary>The user id of a session: the cookie's name identifier or the token's "sub".</summary>
    public static Guid? UserId(ClaimsPrincipal? principal) =>
        Guid.TryParse(principal?.FindFirstValue(ClaimTypes.NameIdentifier) ?? principal?.FindFirstValue("sub"), out var id) ? id : null;

    /// <summary>Cookie sessions: a refused account is signed out and the request goes on as anonymous.</summary>
    public static async Task ValidateCookieAsync(CookieValidatePrincipalContext context)
    {
        var http = context.HttpContext;
        var standing = UserId(context.Principal) is { } id
            ? (await http.RequestServices.GetRequiredService<StaffSessions>().CheckAsync(id, http.RequestAborted)).Standing
            : SignInOutcome.Deleted;
        if (standing != SignInOutcome.SignedIn)
        {
            SessionLog.Ended(http.RequestServices.GetRequiredService<ILogger<StaffSessions>>(), UserId(context.Principal), standing, "cookie");
            context.RejectPrincipal();
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    /// <summary>Bearer tokens: a token of a refused account (or of no account) fails authentication: 401.</summary>
    public static async Task ValidateTokenAsync(TokenValidatedContext context)
    {
        var http = context.HttpContext;
        var standing = UserId(context.Principal) is { } id
            ? (await http.RequestServices.GetRequiredService<StaffSessions>().CheckAsync(id, http.RequestAborted)).Standing
            : SignInOutcome.Deleted;
        if (standing != SignInOutcome.SignedIn)
        {
            SessionLog.Ended(http.RequestServices.GetRequiredService<ILogger<StaffSessions>>(), UserId(context.Principal), standing, "bearer token");
            context.Fail($"The account is not admitted ({standing}).");
        }
    }
}

internal static partial class SessionLog
{
    [LoggerMessage(4010, LogLevel.Warning, "Session of user {UserId} refused ({Standing}, {Kind})")]
    public static partial void Ended(ILogger logger, Guid? userId, SignInOutcome standing, string kind);
}
