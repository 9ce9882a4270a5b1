namespace Worker.Web.EtlSections;

/// <summary>
/// A job's error (the exception message in the run history) as a sentence a person can act on; the
/// raw text stays one click away on the page.
/// </summary>
public static class FailureText
{
    private static readonly (string[] Clues, string Sentence)[] Known =
    [
        (["Failed to connect", "could not connect", "Connection refused", "57P01", "57P03", "the database system is", "No connection could be made"],
            "The database could not be reached. Check that PostgreSQL is up (/health/ready), then run the job again."),
        (["No space left", "disk full", "53100"], "The disk is full. Free space on the database or worker host, then run the job again."),
        (["timeout", "timed out", "Timeout"], "The job ran out of time. Check the load on the database and the remote service, then run it again."),
        (["Could not find file", "Could not find a part of the path", "No such file", "DirectoryNotFound"],
            "A file or folder the job needs is missing. Check the job's folder (e.g. the inbox) exists and nothing moved the file."),
        (["Access to the path", "Permission denied", "UnauthorizedAccess"], "The worker may not read or write a file it needs. Check the folder's permissions."),
        (["429", "quota", "Quota", "rate limit", "Rate limit"], "The remote service refused for now (quota or rate limit). Wait for the quota to reset, then run the job again."),
        (["401", "403", "Unauthorized", "Forbidden", "invalid_grant", "credentials"], "The remote service refused the worker's credentials. Check the credentials the job uses."),
        (["SMTP", "smtp", "MailKit"], "Sending e-mail failed. Check the Alerts:Email settings and that the mail server answers."),
        (["No such host", "Name or service not known", "HttpRequestException", "SSL connection"],
            "A remote service could not be reached. Check the network and the service's status, then run the job again."),
        (["42P01", "42703", "does not exist"], "The database schema is not what the job expects. Run the migrations (Worker migrate) and run the job again."),
    ];

    public static string Explain(string? error)
    {
        if (string.IsNullOrWhiteSpace(error))
        {
            return "The job failed without a message. The worker's log has the details under this run.";
        }

        foreach (var (clues, sentence) in Known)
        {
            if (clues.Any(clue => error.Contains(clue, StringComparison.Ordinal)))
            {
                return sentence;
            }
        }

        // Unknown: the first sentence of the message, short enough for a table cell.
        var first = error.Split(['\n', '\r'], 2)[0].Trim();
        var end = first.IndexOf(". ", StringComparison.Ordinal);
        first = end > 0 ? first[..(end + 1)] : first;
        return "The job failed: " + (first.Length > 140 ? first[..139] + "…" : first) + " Open the details for the whole error.";
    }
}
