using Npgsql;

namespace Worker.Security;

/// <summary>
/// The permissions of a signed-in user, read from the same RBAC tables row-level security uses, so the
/// dashboard and the upload endpoints cannot disagree with the database about who may do what.
/// </summary>
public sealed class UserPermissions(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlySet<string>> ForUserAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Impersonation.ActAsUserAsync(connection, transaction, userId, cancellationToken);
        await using var command = new NpgsqlCommand("select private.my_permissions()", connection, transaction);
        var permissions = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                permissions.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync(cancellationToken);
        return permissions;
    }

    /// <summary>The name of the user's role (public.profiles → public.roles), or null without one.</summary>
    public async Task<string?> RoleNameAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "select r.name from public.profiles p join public.roles r on r.id = p.role_id where p.id = $1", connection)
        {
            Parameters = { new() { Value = userId } },
        };
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }
}
