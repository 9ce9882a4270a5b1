using System.ComponentModel.DataAnnotations;

namespace Worker.Web;

/// <summary>The "Auth" section: staff sign-in for the dashboard, upload page and API.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// The Supabase project's JWT secret (Settings → API), to accept Supabase access tokens as bearer
    /// tokens (HS256). Empty: bearer tokens are not accepted, only the sign-in cookie. A secret: keep it
    /// in an environment variable (Auth__JwtSecret) or a secret store, never in appsettings.json.
    /// </summary>
    public string JwtSecret { get; set; } = "";

    /// <summary>Expected "iss" of access tokens, e.g. https://&lt;project&gt;.supabase.co/auth/v1. Empty: not checked.</summary>
    public string JwtIssuer { get; set; } = "";

    /// <summary>Sign-in attempts allowed per client address per minute; more get 429.</summary>
    [Range(1, 1000)]
    public int SignInAttemptsPerMinute { get; set; } = 5;

    /// <summary>How long a sign-in lasts without activity.</summary>
    [Range(1, 720)]
    public int SessionHours { get; set; } = 8;

    /// <summary>
    /// How long a session's account check (banned, deleted, unconfirmed) and permissions are trusted
    /// before auth.users and the RBAC tables are read again: the longest a revoked user keeps access.
    /// </summary>
    [Range(0, 300)]
    public int AccountCheckSeconds { get; set; } = 30;
}
