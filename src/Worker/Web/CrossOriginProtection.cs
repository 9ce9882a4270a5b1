namespace Worker.Web;

/// <summary>
/// Refuses a state-changing request that a browser sent from another origin's page, the way Go's
/// net/http CrossOriginProtection does: by the browser's Sec-Fetch-Site header (same-origin or none
/// pass), else, from browsers too old to send it, by Origin against Host. Requests without either
/// header are not from a browser page (scripts, curl, the bearer-token API) and pass: they cannot ride
/// on a victim's cookie. Cookie-authenticated API calls need this because an HTML form on a same-site
/// page (a sibling subdomain) may post multipart or text/plain with the SameSite=Lax cookie attached.
/// </summary>
internal static class CrossOriginProtection
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        IsCrossOrigin(context.HttpContext.Request)
            ? Results.Problem("This request was sent by another site's page; it is refused. Upload from this site's own pages or the API.",
                statusCode: StatusCodes.Status403Forbidden)
            : await next(context);

    public static bool IsCrossOrigin(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return false;
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is not ("same-origin" or "none");
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || !string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
            || (request.Host.Port ?? uri.Port) != uri.Port;
    }
}
