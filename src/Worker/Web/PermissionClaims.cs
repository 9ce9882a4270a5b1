using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Worker.Security;

namespace Worker.Web;

/// <summary>
/// Adds the signed-in user's permissions (from the RBAC tables, as row-level security sees them) to
/// the principal on each request, cached for half a minute, so a role change takes effect without
/// signing in again and a cookie never carries permissions that could go stale.
/// </summary>
internal sealed class PermissionClaims(UserPermissions permissions, IMemoryCache cache) : IClaimsTransformation
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity?.IsAuthenticated != true
            || principal.HasClaim(c => c.Type == Permissions.ClaimType)
            || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? principal.FindFirstValue("sub"), out var userId))
        {
            return principal;
        }

        var granted = await cache.GetOrCreateAsync(("permissions", userId), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return permissions.ForUserAsync(userId);
        }) ?? new HashSet<string>();

        var role = await cache.GetOrCreateAsync(("role", userId), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return permissions.RoleNameAsync(userId);
        });

        var identity = new ClaimsIdentity(granted.Select(p => new Claim(Permissions.ClaimType, p)));
        if (role is not null)
        {
            identity.AddClaim(new Claim(Permissions.RoleClaimType, role));
        }

        var transformed = principal.Clone();
        transformed.AddIdentity(identity);
        return transformed;
    }
}
