namespace Worker.Web.Components;

/// <summary>The one stylesheet of the worker's pages (site.css, embedded), inlined by the layout.</summary>
public static class SiteStyle
{
    private static readonly Lazy<string> Content = new(() =>
    {
        using var stream = typeof(SiteStyle).Assembly.GetManifestResourceStream("Web/Components/site.css")
            ?? throw new InvalidOperationException("The embedded stylesheet Web/Components/site.css is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Css => Content.Value;
}
