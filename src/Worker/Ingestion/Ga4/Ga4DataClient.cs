using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Worker.Ingestion.Ga4;

/// <summary>
/// The Data API v1beta over REST with <see cref="HttpClient"/> from the factory (named
/// <see cref="HttpClientName"/>; base address, timeouts and the retry pipeline are set where it is
/// registered, <see cref="Ga4ServiceCollectionExtensions"/>). Here: the bearer token, one token refresh
/// on 401, and errors turned into <see cref="Ga4ApiException"/>s that say what to fix.
/// </summary>
public sealed partial class Ga4DataClient(IHttpClientFactory httpClients, IGa4Credentials credentials, ILogger<Ga4DataClient> logger) : IGa4DataClient
{
    public const string HttpClientName = "ga4-data-api";

    public Task<RunReportResponse> RunReportAsync(RunReportRequest request, CancellationToken cancellationToken) =>
        PostAsync<RunReportResponse>(request.Property, "runReport", request, cancellationToken);

    public Task<BatchRunReportsResponse> BatchRunReportsAsync(BatchRunReportsRequest request, CancellationToken cancellationToken)
    {
        if (request.Requests.Count is 0 or > 5)
        {
            throw new ArgumentException("batchRunReports takes one to five requests.", nameof(request));
        }

        return PostAsync<BatchRunReportsResponse>(request.Property, "batchRunReports", request, cancellationToken);
    }

    private async Task<T> PostAsync<T>(string property, string method, object body, CancellationToken cancellationToken)
        where T : class
    {
        if (!property.StartsWith("properties/", StringComparison.Ordinal) || property.Length == "properties/".Length)
        {
            throw new ArgumentException($"Expected 'properties/<id>', got '{property}'.", nameof(body));
        }

        var payload = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), Ga4Json.Options);
        var client = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            var token = await credentials.GetAccessTokenAsync(forceRefresh: attempt > 1, cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"v1beta/{property}:{method}")
            {
                Content = new ByteArrayContent(payload) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                return await JsonSerializer.DeserializeAsync<T>(stream, Ga4Json.Options, cancellationToken)
                    ?? throw new Ga4ApiException(Ga4ErrorKind.Other, response.StatusCode, null, $"GA4 {method} answered an empty body.");
            }

            var error = await ReadErrorAsync(response, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1)
            {
                Ga4ClientLog.TokenRefused(logger, property, method);
                continue;
            }

            throw Describe(property, method, response.StatusCode, error);
        }
    }

    private static async Task<GoogleError?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return JsonSerializer.Deserialize<GoogleErrorBody>(text, Ga4Json.Options)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Ga4ApiException Describe(string property, string method, HttpStatusCode code, GoogleError? error)
    {
        var id = property["properties/".Length..];
        var said = error?.Message is { Length: > 0 } m ? $" GA4 said: {error.Status ?? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture)}: {m}" : "";
        return (int)code switch
        {
            400 => new(Ga4ErrorKind.InvalidArgument, code, error?.Status,
                $"GA4 refused the {method} request for property {id} as invalid (400); check the job's report, dimensions, metrics and leadEvent parameter.{said}"),
            403 => new(Ga4ErrorKind.PermissionDenied, code, error?.Status,
                $"GA4 denied access to property {id} (403). In GA4 Admin → Property access management, add {(credentials.AccountEmail is { } email ? "the service account " + email : "the account the worker's application-default credentials belong to")} as Viewer on property {id}, and check that the property id is right and the Google Analytics Data API is enabled in the key's Google Cloud project.{said}"),
            401 => new(Ga4ErrorKind.Unauthenticated, code, error?.Status,
                $"GA4 refused the access token for property {id} (401), also after getting a new one; check Ga4:CredentialsFile (the key may be deleted or disabled in Google Cloud IAM).{said}"),
            429 when Ga4ApiException.IsDailyQuota(error?.Message) => new(Ga4ErrorKind.DailyQuotaExhausted, code, error?.Status,
                $"The daily GA4 token quota of property {id} is exhausted; it resets at midnight Pacific time and the next run resumes where this one stopped.{said}"),
            429 => new(Ga4ErrorKind.QuotaExhausted, code, error?.Status,
                $"A GA4 quota of property {id} (hourly tokens or concurrent requests) stayed exhausted after backing off; the job will try again later.{said}"),
            >= 500 => new(Ga4ErrorKind.ServerError, code, error?.Status,
                $"GA4 kept failing with {(int)code} for property {id} after retries; usually temporary, the job will try again later.{said}"),
            _ => new(Ga4ErrorKind.Other, code, error?.Status, $"GA4 {method} for property {id} failed with {(int)code}.{said}"),
        };
    }
}

internal static partial class Ga4ClientLog
{
    [LoggerMessage(8001, LogLevel.Warning, "GA4 refused the access token for {Property} {Method} (401); getting a new token and trying once more")]
    public static partial void TokenRefused(ILogger logger, string property, string method);
}
