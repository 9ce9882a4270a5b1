using System.Security.Claims;

namespace Worker.Web;

/// <summary>Who is signed in, as the pages show it: name, role and what the role may do.</summary>
public sealed record StaffUser(string Name, string Email, string Role, IReadOnlySet<string> Permissions)
{
    public static StaffUser? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var email = principal.FindFirstValue(ClaimTypes.Email) ?? principal.FindFirstValue("email") ?? "";
        var name = principal.FindFirstValue(ClaimTypes.Name) is { Length: > 0 } n ? n : email;
        return new StaffUser(
            name,
            email,
            principal.FindFirstValue(Web.Permissions.RoleClaimType) ?? "no role",
            principal.FindAll(Web.Permissions.ClaimType).Select(c => c.Value).ToHashSet(StringComparer.Ordinal));
    }

    public bool May(string permission) => Permissions.Contains(permission);

    /// <summary>The role's permissions in words, in a stable order.</summary>
    public IReadOnlyList<string> AbilitiesInWords() =>
        Permissions.Order(StringComparer.Ordinal).Select(Web.Permissions.Describe).ToList();
}
