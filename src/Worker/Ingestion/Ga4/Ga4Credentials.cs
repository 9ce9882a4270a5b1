using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Options;

namespace Worker.Ingestion.Ga4;

/// <summary>Where the GA4 client gets its access tokens.</summary>
public interface IGa4Credentials
{
    /// <summary>The token for the next request: cached until near expiry, or a new one when <paramref name="forceRefresh"/>.</summary>
    Task<string> GetAccessTokenAsync(bool forceRefresh, CancellationToken cancellationToken);

    /// <summary>The service account's e-mail when known (from the key file): the account to add as Viewer on the property.</summary>
    string? AccountEmail { get; }
}

/// <summary>
/// Tokens from Google.Apis.Auth: the service-account key file of <c>Ga4:CredentialsFile</c> (signed JWT
/// bearer grant to the key's own <c>token_uri</c>), else application-default credentials. The key and
/// the tokens stay in memory; nothing here logs them.
/// </summary>
public sealed class Ga4Credentials(IOptions<Ga4Options> options) : IGa4Credentials
{
    public const string Scope = "https://www.googleapis.com/auth/analytics.readonly";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ITokenAccess? _tokens;
    private Func<CancellationToken, Task<string>>? _refresh;
    private string? _email;

    public string? AccountEmail
    {
        get
        {
            if (_email is null && options.Value.CredentialsFile is { Length: > 0 } file && File.Exists(file))
            {
                _email = ReadKey(file).ClientEmail;
            }

            return _email;
        }
    }

    public async Task<string> GetAccessTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        return forceRefresh ? await _refresh!(cancellationToken) : await _tokens!.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
    }

    private async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (_tokens is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_tokens is not null)
            {
                return;
            }

            if (options.Value.CredentialsFile is { Length: > 0 } file)
            {
                var key = ReadKey(file);
                var credential = new ServiceAccountCredential(new ServiceAccountCredential.Initializer(key.ClientEmail, key.TokenUri)
                {
                    Scopes = [Scope],
                    KeyId = key.PrivateKeyId,
                    ProjectId = key.ProjectId,
                }.FromPrivateKey(key.PrivateKey));
                _email = key.ClientEmail;
                _refresh = async ct =>
                {
                    await credential.RequestAccessTokenAsync(ct);
                    return credential.Token.AccessToken;
                };
                _tokens = credential;
            }
            else
            {
                var credential = (await GoogleCredential.GetApplicationDefaultAsync(cancellationToken)).CreateScoped(Scope);
                _refresh = credential.UnderlyingCredential switch
                {
                    ServiceCredential service => async ct =>
                    {
                        await service.RequestAccessTokenAsync(ct);
                        return service.Token.AccessToken;
                    },
                    UserCredential user => async ct =>
                    {
                        await user.RefreshTokenAsync(ct);
                        return user.Token.AccessToken;
                    },
                    _ => ct => ((ITokenAccess)credential).GetAccessTokenForRequestAsync(cancellationToken: ct),
                };
                _tokens = credential;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed record ServiceAccountKey(string ClientEmail, string PrivateKey, string TokenUri, string? PrivateKeyId, string? ProjectId);

    private static ServiceAccountKey ReadKey(string file)
    {
        if (!File.Exists(file))
        {
            throw new Worker.Jobs.JobInputException($"Ga4:CredentialsFile '{file}' does not exist (a service-account key file, JSON, downloaded from Google Cloud IAM).");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            string? Field(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (Field("type") != "service_account" || Field("client_email") is not { Length: > 0 } email || Field("private_key") is not { Length: > 0 } privateKey)
            {
                throw new Worker.Jobs.JobInputException($"Ga4:CredentialsFile '{file}' is not a service-account key (expected type service_account with client_email and private_key).");
            }

            return new ServiceAccountKey(email, privateKey, Field("token_uri") is { Length: > 0 } uri ? uri : GoogleAuthConsts.OidcTokenUrl, Field("private_key_id"), Field("project_id"));
        }
        catch (JsonException)
        {
            throw new Worker.Jobs.JobInputException($"Ga4:CredentialsFile '{file}' is not valid JSON.");
        }
    }
}
