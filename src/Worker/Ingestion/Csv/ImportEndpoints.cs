using System.Globalization;
using System.Security.Claims;
using System.Text;
using Hangfire;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Worker.Web;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Marketing's ways in over HTTP: the API (multipart or text/csv body) and the /uploads page. Both read
/// the file to a temporary file first, then store it, record a batch and queue its import job
/// (<see cref="UploadLimits"/> says what bounds them).
/// </summary>
internal static class ImportEndpoints
{
    // Room for the multipart envelope around a file of the maximum size.
    private const long MultipartOverhead = 64 * 1024;

    // RFC 2046's limit.
    private const int MaxBoundaryLength = 70;

    public static void MapImports(this WebApplication app)
    {
        var api = app.MapGroup("/api/imports").RequireAuthorization(Permissions.UploadPolicy);
        // An import's status and error report: also for those who watch job runs (ops, directors), read-only.
        var view = app.MapGroup("/api/imports").RequireAuthorization(Permissions.ViewImportsPolicy);

        // No anti-forgery token: bearer-token clients are not browsers. A cookie-authenticated call from a browser
        // must come from this site's own pages (CrossOriginProtection, in WithUploadLimits), as the Lax cookie
        // alone would let a same-site page's form post a file.
        api.MapPost("/{dataset}", async (string dataset, HttpContext http, ImportBatches batches, IBackgroundJobClientV2 jobs, IOptions<ImportsOptions> imports) =>
        {
            if (Datasets.Find(dataset) is not { } found)
            {
                return Results.Problem($"Unknown dataset '{dataset}'. Known: {string.Join(", ", Datasets.Every.Select(d => d.Name))}.", statusCode: 404);
            }

            if (!http.User.HasClaim(Permissions.ClaimType, found.Permission))
            {
                return Results.Problem($"Loading {found.Name} needs the permission to {Permissions.Describe(found.Permission)}.", statusCode: 403);
            }

            var limit = imports.Value.MaxFileBytes;
            if (http.Request.ContentLength > limit + MultipartOverhead)
            {
                return TooLarge(limit);
            }

            http.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = limit + MultipartOverhead;
            var options = OptionsFrom(http.Request.Query, imports.Value, out var problem);
            if (problem is not null)
            {
                return Results.Problem(problem, statusCode: 400);
            }

            try
            {
                var (stream, fileName) = await OpenUploadAsync(http.Request);
                if (stream is null)
                {
                    return Results.Problem("Send the file as the body (Content-Type: text/csv) or as a multipart/form-data part named \"file\".", statusCode: 400);
                }

                var id = await batches.CreateAsync(dataset, fileName, stream, "api", UserId(http.User), UserName(http.User), options, limit, http.RequestAborted);
                await batches.SetJobAsync(id, ImportJob.Enqueue(jobs, id, dataset, fileName));
                return Results.Accepted($"/api/imports/{id}", new { id, status = "queued", dataset, fileName });
            }
            catch (FileTooLargeException)
            {
                return TooLarge(limit);
            }
        }).DisableAntiforgery().WithUploadLimits();

        // Re-run an interrupted import from its stored file (ImportRerun says when that is refused, and why).
        api.MapPost("/{id:guid}/rerun", async (Guid id, HttpContext http, ImportRerun rerun) =>
        {
            var outcome = await rerun.QueueAsync(id, UserName(http.User), http.RequestAborted);
            return outcome.Accepted
                ? Results.Accepted($"/api/imports/{id}", new { id, status = "queued", message = outcome.Message })
                : Results.Problem(outcome.Message, statusCode: outcome.StatusCode);
        }).DisableAntiforgery().AddEndpointFilter(CrossOriginProtection.Filter);

        view.MapGet("/{id:guid}", async (Guid id, ImportBatches batches) =>
            await batches.FindAsync(id) is { } batch ? Results.Ok(Describe(batch)) : Results.NotFound());

        view.MapGet("/{id:guid}/errors.csv", async (Guid id, ImportBatches batches) =>
        {
            if (await batches.FindAsync(id) is not { } batch)
            {
                return Results.NotFound();
            }

            var errors = batch.Message is { } message && batch.ErrorList.Count == 0 ? [new ImportError(null, null, null, message)] : batch.ErrorList;
            return Results.File(Encoding.UTF8.GetBytes(ErrorReport.ToCsv(batch.FileName, errors)), "text/csv; charset=utf-8",
                Path.GetFileNameWithoutExtension(batch.FileName) + ".errors.csv");
        });

        var page = app.MapGroup("/uploads").RequireAuthorization(Permissions.UploadPolicy);
        page.MapGet("/", async (HttpContext http, IAntiforgery antiforgery, ImportBatches batches) =>
            UploadsPage.Render(antiforgery.GetAndStoreTokens(http), await batches.RecentAsync(20), message: null, offered: Datasets.LoadableBy(http.User)));

        // A browser form: ASP.NET spools the file to a temporary file on disk (not memory); the anti-forgery
        // token is checked once the form is read.
        page.MapPost("/", async (HttpContext http, IAntiforgery antiforgery, ImportBatches batches, IBackgroundJobClientV2 jobs, IOptions<ImportsOptions> imports) =>
        {
            var limit = imports.Value.MaxFileBytes;
            if (http.Request.ContentLength > limit + MultipartOverhead)
            {
                return UploadsPage.Render(antiforgery.GetAndStoreTokens(http), await batches.RecentAsync(20),
                    $"The file is larger than the limit of {limit / (1024 * 1024)} MiB.", 413, Datasets.LoadableBy(http.User));
            }

            http.Features.Get<IHttpMaxRequestBodySizeFeature>()!.MaxRequestBodySize = limit + MultipartOverhead;
            var form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit + MultipartOverhead });
            if (await UploadLimits.CheckFormAsync(http, antiforgery, form) is { } refused)
            {
                return refused;
            }

            var dataset = Datasets.Find(form["dataset"].ToString());
            var file = form.Files.GetFile("file");
            if (dataset is null || file is null || file.Length == 0 && file.FileName.Length == 0)
            {
                return UploadsPage.Render(antiforgery.GetAndStoreTokens(http), await batches.RecentAsync(20), "Choose a dataset and a file.", 400, Datasets.LoadableBy(http.User));
            }

            if (!http.User.HasClaim(Permissions.ClaimType, dataset.Permission))
            {
                return UploadsPage.Render(antiforgery.GetAndStoreTokens(http), await batches.RecentAsync(20),
                    $"Loading {dataset.Name} needs the permission to {Permissions.Describe(dataset.Permission)}.", 403, Datasets.LoadableBy(http.User));
            }

            var options = OptionsFrom(new QueryCollection(form.ToDictionary(f => f.Key, f => f.Value)), imports.Value, out var problem);
            if (problem is not null)
            {
                return UploadsPage.Render(antiforgery.GetAndStoreTokens(http), await batches.RecentAsync(20), problem, 400, Datasets.LoadableBy(http.User));
            }

            await using var stream = file.OpenReadStream();
            var id = await batches.CreateAsync(dataset.Name, file.FileName, stream, "upload", UserId(http.User), UserName(http.User), options, limit, http.RequestAborted);
            await batches.SetJobAsync(id, ImportJob.Enqueue(jobs, id, dataset.Name, Path.GetFileName(file.FileName)));
            return Results.Redirect($"/uploads/{id}");
        }).WithUploadLimits();

        app.MapGet("/uploads/{id:guid}", async (Guid id, HttpContext http, IAntiforgery antiforgery, ImportBatches batches) =>
            await batches.FindAsync(id) is { } batch ? ImportPage.Render(batch, MayUpload(http), MayUpload(http) ? antiforgery.GetAndStoreTokens(http) : null) : Results.NotFound())
            .RequireAuthorization(Permissions.ViewImportsPolicy);

        // The import page's "Re-run" button (a form with the anti-forgery token).
        page.MapPost("/{id:guid}/rerun", async (Guid id, HttpContext http, IAntiforgery antiforgery, ImportBatches batches, ImportRerun rerun) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Problem("The form expired or did not come from this site. Reload the import's page and try again.", statusCode: StatusCodes.Status400BadRequest);
            }

            var outcome = await rerun.QueueAsync(id, UserName(http.User), http.RequestAborted);
            if (outcome.Accepted)
            {
                return Results.Redirect($"/uploads/{id}");
            }

            return await batches.FindAsync(id) is { } batch
                ? ImportPage.Render(batch, mayUpload: true, antiforgery.GetAndStoreTokens(http), outcome.Message, outcome.StatusCode)
                : Results.Problem(outcome.Message, statusCode: outcome.StatusCode);
        }).AddEndpointFilter(CrossOriginProtection.Filter);
    }

    private static IResult TooLarge(long limit) =>
        Results.Problem($"The file is larger than the limit of {limit / (1024 * 1024)} MiB.", statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>
    /// The file part of a multipart body, or the whole body for text/csv, read to a temporary file. A
    /// malformed multipart body, or one with more than one file, is a bad request (400).
    /// </summary>
    private static async Task<(Stream? Stream, string FileName)> OpenUploadAsync(HttpRequest request)
    {
        var http = request.HttpContext;
        var limit = http.RequestServices.GetRequiredService<IOptions<ImportsOptions>>().Value.MaxFileBytes;
        var fallbackName = request.Query["fileName"].FirstOrDefault() is { Length: > 0 } named ? named : "upload.csv";
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            UploadLimits.Receiving(http, fallbackName);
            return (await UploadLimits.SpoolAsync(http, request.Body, limit), fallbackName);
        }

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value ?? "";
        if (boundary.Length is 0 or > MaxBoundaryLength)
        {
            throw new BadHttpRequestException($"A multipart/form-data body needs a boundary of 1 to {MaxBoundaryLength} characters in its Content-Type.");
        }

        var reader = new MultipartReader(boundary, request.Body);
        (Stream? Stream, string FileName) upload = (null, fallbackName);
        var files = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(http.RequestAborted) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !(disposition.Name.Equals("file", StringComparison.Ordinal) || disposition.IsFileDisposition()))
                {
                    continue;
                }

                if (++files > 1)
                {
                    throw new BadHttpRequestException("Send one file per request; this one has more than one file part.");
                }

                if (disposition.Name.Equals("file", StringComparison.Ordinal))
                {
                    var name = HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    upload.FileName = string.IsNullOrEmpty(name) ? fallbackName : name;
                    UploadLimits.Receiving(http, upload.FileName);
                    upload.Stream = await UploadLimits.SpoolAsync(http, section.Body, limit);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException || (ex is IOException and not BadHttpRequestException && !http.RequestAborted.IsCancellationRequested))
        {
            throw new BadHttpRequestException("The body is not valid multipart/form-data: its parts are not delimited by the boundary its Content-Type names.", ex);
        }

        return upload;
    }

    /// <summary>The options of a query string or a form: partial, decimalComma, dateFormat, maxErrors, sumDuplicates, set (repeatable column=value).</summary>
    private static ImportOptions OptionsFrom(IQueryCollection values, ImportsOptions imports, out string? problem)
    {
        var dateFormat = values["dateFormat"].ToString() is { Length: > 0 } format ? format : null;
        var (set, setProblem) = ImportOptions.ParseSet(values["set"]);
        problem = setProblem ?? (dateFormat is null ? null : DateFormats.Problem(dateFormat));
        return new()
        {
            Partial = IsTrue(values["partial"]),
            DecimalComma = values["decimalComma"].ToString() is { Length: > 0 } mark ? IsTrue(mark) : null,
            DateFormat = dateFormat,
            SumDuplicates = IsTrue(values["sumDuplicates"]),
            Set = set,
            MaxErrors = int.TryParse(values["maxErrors"], CultureInfo.InvariantCulture, out var max) && max > 0 ? Math.Min(max, imports.MaxErrors * 10) : imports.MaxErrors,
        };

        static bool IsTrue(string? value) => value is "true" or "on" or "1";
    }

    private static bool MayUpload(HttpContext http) => http.User.HasClaim(Permissions.ClaimType, Permissions.UploadMarketingData);

    private static Guid? UserId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub"), out var id) ? id : null;

    private static string UserName(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue("email") ?? user.Identity?.Name ?? "unknown";

    internal static object Describe(ImportBatch batch) => new
    {
        id = batch.Id,
        dataset = batch.Dataset,
        fileName = batch.FileName,
        sizeBytes = batch.SizeBytes,
        sha256 = batch.Sha256,
        source = batch.Source,
        uploadedBy = batch.UploadedByName,
        status = batch.Status,
        rowsRead = batch.RowsRead,
        inserted = batch.Inserted,
        updated = batch.Updated,
        unchanged = batch.Unchanged,
        rejected = batch.Rejected,
        skipped = batch.Skipped,
        message = batch.Message,
        errors = batch.ErrorList,
        notes = batch.NoteList,
        sameFileAs = batch.SameFileAs,
        createdAt = batch.CreatedAt,
        startedAt = batch.StartedAt,
        finishedAt = batch.FinishedAt,
        errorReport = batch.ErrorList.Count > 0 || batch.Message is not null ? $"/api/imports/{batch.Id}/errors.csv" : null,
    };
}
