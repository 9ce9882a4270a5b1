namespace Worker.Web;

/// <summary>
/// Where sign-in may send the browser back to. The rules are those of ASP.NET Core's
/// <c>Url.IsLocalUrl</c> (a path starting with one "/", not "//" or "/\", no control characters),
/// applied to the value and to its percent-decoded forms, so <c>/%09/evil.example</c> (a tab, which
/// browsers drop, making "//evil.example") and <c>/%0A/x</c> (a header break) are refused too.
/// </summary>
public static class ReturnUrl
{
    /// <summary>The URL when it is a local path, else null (the caller falls back to the user's landing page).</summary>
    public static string? Local(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > 2048)
        {
            return null;
        }

        // Decode until nothing changes (bounded), checking every form a browser or proxy might see.
        var current = url;
        for (var round = 0; round < 4; round++)
        {
            if (!IsLocalPath(current))
            {
                return null;
            }

            var decoded = Uri.UnescapeDataString(current);
            if (decoded == current)
            {
                return IsSignInPage(url) ? null : url;
            }

            current = decoded;
        }

        return null; // encoded more deeply than any real link
    }

    /// <summary><c>Url.IsLocalUrl</c>'s test, without the "~/" form (a browser would not understand it).</summary>
    private static bool IsLocalPath(string url)
    {
        if (url.Length == 0 || url[0] != '/')
        {
            return false;
        }

        if (url.Length == 1)
        {
            return true;
        }

        if (url[1] is '/' or '\\')
        {
            return false;
        }

        foreach (var c in url.AsSpan(1))
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    // Going "back" to the sign-in or sign-out page after signing in would be a loop.
    private static bool IsSignInPage(string url) =>
        url.StartsWith("/signin", StringComparison.OrdinalIgnoreCase) || url.StartsWith("/signout", StringComparison.OrdinalIgnoreCase);
}
