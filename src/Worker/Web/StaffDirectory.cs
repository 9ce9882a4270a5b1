using Dapper;
using Npgsql;

namespace Worker.Web;

public enum SignInOutcome
{
    SignedIn,
    WrongCredentials,
    Unconfirmed,
    Banned,
    Deleted,
}

public sealed record SignInResult(SignInOutcome Outcome, Guid UserId = default, string? Email = null, string? FullName = null);

/// <summary>
/// Checks staff credentials against Supabase's auth.users. The bcrypt hash is verified here, not with
/// crypt() in SQL, so the password never travels to the database where statement logging could keep it.
/// </summary>
public sealed class StaffDirectory(NpgsqlDataSource dataSource)
{
    // Verified when no user matches, so an unknown email costs as long as a wrong password.
    private static readonly string DummyHash = BCrypt.Net.BCrypt.HashPassword("not-a-password", workFactor: 10);

    private sealed record UserRow(Guid Id, string Email, string? EncryptedPassword, DateTime? EmailConfirmedAt, DateTime? BannedUntil, DateTime? DeletedAt, string? FullName);

    private sealed record StandingRow(bool Deleted, bool Banned, bool Confirmed);

    public async Task<SignInResult> SignInAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var user = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition("""
            select u.id, u.email, u.encrypted_password as EncryptedPassword, u.email_confirmed_at as EmailConfirmedAt,
                   u.banned_until as BannedUntil, u.deleted_at as DeletedAt, p.full_name as FullName
            from auth.users u left join public.profiles p on p.id = u.id
            where lower(u.email) = lower(@email) and coalesce(u.is_sso_user, false) = false
            """, new { email = email.Trim() }, cancellationToken: cancellationToken));

        var hash = user?.EncryptedPassword is { Length: > 0 } h ? h : DummyHash;
        var passwordMatches = Verify(password, hash);
        if (user is null || !passwordMatches || user.EncryptedPassword is not { Length: > 0 })
        {
            return new SignInResult(SignInOutcome.WrongCredentials);
        }

        if (user.DeletedAt is not null)
        {
            return new SignInResult(SignInOutcome.Deleted);
        }

        if (user.BannedUntil is { } until && until > DateTime.UtcNow)
        {
            return new SignInResult(SignInOutcome.Banned);
        }

        if (user.EmailConfirmedAt is null)
        {
            return new SignInResult(SignInOutcome.Unconfirmed);
        }

        await connection.ExecuteAsync("update auth.users set last_sign_in_at = now() where id = @Id", new { user.Id });
        return new SignInResult(SignInOutcome.SignedIn, user.Id, user.Email, user.FullName);
    }

    /// <summary>
    /// Whether the account still admits its user: <see cref="SignInOutcome.SignedIn"/>, or why not. An
    /// account that no longer exists counts as deleted.
    /// </summary>
    public async Task<SignInOutcome> StandingAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var user = await connection.QuerySingleOrDefaultAsync<StandingRow>(new CommandDefinition("""
            select deleted_at is not null as Deleted, coalesce(banned_until > now(), false) as Banned, email_confirmed_at is not null as Confirmed
            from auth.users where id = @userId
            """, new { userId }, cancellationToken: cancellationToken));
        return user switch
        {
            null or { Deleted: true } => SignInOutcome.Deleted,
            { Banned: true } => SignInOutcome.Banned,
            { Confirmed: false } => SignInOutcome.Unconfirmed,
            _ => SignInOutcome.SignedIn,
        };
    }

    private static bool Verify(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false; // not a bcrypt hash: no password can match it
        }
    }
}
