using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Worker.Web;

namespace Worker.Ingestion.Csv;

/// <summary>
/// What keeps uploads from exhausting the service: at most Imports:MaxConcurrentUploads at once (and
/// Imports:MaxConcurrentUploadsPerUser per user; more get 429), a minimum body data rate, the body read
/// to a temporary file before any database connection is taken, one file per request, and the
/// cross-origin and anti-forgery checks.
/// </summary>
internal static class UploadLimits
{
    private const int BufferBytes = 81_920;

    /// <summary>Marks an endpoint that receives a file, for the concurrency limits.</summary>
    private sealed class UploadEndpoint;

    public static IServiceCollection AddUploadLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<ImportsOptions>>((o, imports) =>
        {
            var perUser = imports.Value.MaxConcurrentUploadsPerUser;
            var overall = imports.Value.MaxConcurrentUploads;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsUpload(http)
                    ? RateLimitPartition.GetConcurrencyLimiter(UserKey(http), _ => new ConcurrencyLimiterOptions { PermitLimit = perUser, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsUpload(http)
                    ? RateLimitPartition.GetConcurrencyLimiter("all", _ => new ConcurrencyLimiterOptions { PermitLimit = overall, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("")));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, cancellationToken) =>
            {
                UploadLog.Refused(context.HttpContext.RequestServices.GetRequiredService<ILogger<ImportBatches>>(), UserKey(context.HttpContext));
                await Results.Problem(
                    $"Too many uploads at once: at most {perUser} per person and {overall} in all are received at a time. Try again when one has finished.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ImportsOptions>>((kestrel, imports) =>
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(imports.Value.MinUploadBytesPerSecond, TimeSpan.FromSeconds(imports.Value.UploadGracePeriodSeconds)));
        return services;
    }

    /// <summary>The concurrency limits and the cross-origin check for an endpoint that receives a file.</summary>
    public static RouteHandlerBuilder WithUploadLimits(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new UploadEndpoint()).AddEndpointFilter(CrossOriginProtection.Filter);

    /// <summary>The upload page's form: its anti-forgery token must be valid, and it may carry one file.</summary>
    public static async Task<IResult?> CheckFormAsync(HttpContext http, IAntiforgery antiforgery, IFormCollection form)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem("The form expired or did not come from this site. Reload the upload page and try again.", statusCode: StatusCodes.Status400BadRequest);
        }

        return form.Files.Count > 1
            ? Results.Problem($"Send one file per upload; this form carried {form.Files.Count}.", statusCode: StatusCodes.Status400BadRequest)
            : null;
    }

    /// <summary>
    /// Reads an upload to a temporary file (owner-only, deleted when the request ends) before anything
    /// touches the database, so a slow client holds a socket and a file, never a connection.
    /// </summary>
    public static async Task<Stream> SpoolAsync(HttpContext http, Stream content, long maxBytes)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(Path.Combine(Path.GetTempPath(), $"worker-upload-{Guid.NewGuid():N}.tmp"), options);
        http.Response.RegisterForDisposeAsync(file);
        var buffer = new byte[BufferBytes];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            size += read;
            if (size > maxBytes)
            {
                throw new FileTooLargeException(maxBytes);
            }

            await file.WriteAsync(buffer.AsMemory(0, read), http.RequestAborted);
        }

        await file.FlushAsync(http.RequestAborted);
        file.Position = 0;
        return file;
    }

    public static void Receiving(HttpContext http, string fileName) =>
        UploadLog.Receiving(http.RequestServices.GetRequiredService<ILogger<ImportBatches>>(), fileName, UserKey(http));

    private static bool IsUpload(HttpContext http) => http.GetEndpoint()?.Metadata.GetMetadata<UploadEndpoint>() is not null;

    private static string UserKey(HttpContext http) =>
        StaffSessions.UserId(http.User)?.ToString() ?? http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

internal static partial class UploadLog
{
    [LoggerMessage(6101, LogLevel.Information, "Receiving upload {File} from {User}")]
    public static partial void Receiving(ILogger logger, string file, string user);

    [LoggerMessage(6102, LogLevel.Warning, "Upload from {User} refused: too many at once")]
    public static partial void Refused(ILogger logger, string user);
}
