namespace Worker.Hosting;

/// <summary>
/// Finds the folder that holds appsettings.json, supabase/ and jobs/: the repository root when run
/// with <c>dotnet run</c> from anywhere inside it, the application folder in the container.
/// </summary>
public static class ContentRoot
{
    public static string Locate()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "supabase", "migrations"))
                    && File.Exists(Path.Combine(dir.FullName, "appsettings.json")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            "Cannot find the worker's content root: no folder from the current directory or the application " +
            "folder upwards holds both appsettings.json and supabase/migrations.");
    }
}
