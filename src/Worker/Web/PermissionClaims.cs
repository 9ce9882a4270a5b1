using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Worker.Web;

/// <summary>
/// Adds the signed-in user's permissions (from the RBAC tables, as row-level security sees them) to
/// the principal on each request, from the same short-lived check that re-validates the account
/// (<see cref="StaffSessions"/>), so a role change takes effect without signing in again and a cookie
/// never carries permissions that could go stale.
/// </summary>
internal sealed class PermissionClaims(StaffSessions sessions) : IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true
            || principal.HasClaim(c => c.Type == Permissions.ClaimType)
            || StaffSessions.UserId(principal) is not { } userId)
        {
            return principal;
        }

        var access = await sessions.CheckAsync(userId);
        var identity = new ClaimsIdentity(access.Admitted ? access.Permissions.Select(p => new Claim(Permissions.ClaimType, p)) : []);
        if (access.Admitted && access.Role is not null)
        {
            identity.AddClaim(new Claim(Permissions.RoleClaimType, access.Role));
        }

        var transformed = principal.Clone();
        transformed.AddIdentity(identity);
        return transformed;
    }
}
