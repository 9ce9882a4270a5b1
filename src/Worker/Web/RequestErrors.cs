namespace Worker.Web;

/// <summary>
/// Exceptions that are the client's mistake, not the server's fault: a request the server could not
/// read (<see cref="BadHttpRequestException"/>: too large, too slow, malformed multipart) or a form
/// body that does not parse. They answer with their own status and a message about the request; every
/// other exception is a 500 whose details stay in the log.
/// </summary>
internal static class RequestErrors
{
    public static (int Status, string Detail)? ClientError(Exception? exception) => exception switch
    {
        BadHttpRequestException bad => (bad.StatusCode, bad.Message),
        Worker.Ingestion.Csv.FileTooLargeException tooLarge => (StatusCodes.Status413PayloadTooLarge, tooLarge.Message),
        InvalidDataException invalid when invalid.Message.StartsWith("Multipart body length limit", StringComparison.Ordinal) =>
            (StatusCodes.Status413PayloadTooLarge, "The request body is larger than the upload limit."),
        InvalidDataException => (StatusCodes.Status400BadRequest, "The request body is not valid form or multipart data."),
        _ => null,
    };

    /// <summary>Client errors and requests the client gave up on are not logged as server errors (Kestrel logs them at debug level).</summary>
    public static bool IsNotServerError(HttpContext http, Exception exception) =>
        ClientError(exception) is not null || http.RequestAborted.IsCancellationRequested;
}
