using System.Text.Json;
using Npgsql;

namespace Worker.Security;

/// <summary>
/// Runs statements as a Supabase user, the way PostgREST does per request: inside the caller's
/// transaction, the role becomes <c>authenticated</c> (or anon/service_role) and request.jwt.claims
/// carries the user's id, so every row-level security policy applies. Both settings are
/// transaction-local and vanish with it, so nothing leaks into the connection pool.
/// </summary>
public static class Impersonation
{
    public const string Anon = "anon";
    public const string Authenticated = "authenticated";
    public const string ServiceRole = "service_role";

    public static async Task ActAsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string role, Guid? userId, CancellationToken cancellationToken = default)
    {
        if (role is not (Anon or Authenticated or ServiceRole))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Only anon, authenticated and service_role can be impersonated.");
        }

        var claims = userId is { } id
            ? JsonSerializer.Serialize(new { sub = id, role })
            : JsonSerializer.Serialize(new { role });
        await using var command = new NpgsqlCommand(
            "select set_config('request.jwt.claims', $1, true), set_config('role', $2, true)", connection, transaction)
        {
            Parameters = { new() { Value = claims }, new() { Value = role } },
        };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static Task ActAsUserAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, CancellationToken cancellationToken = default) =>
        ActAsAsync(connection, transaction, Authenticated, userId, cancellationToken);
}
