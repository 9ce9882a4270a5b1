namespace Worker.Hosting;

/// <summary>The folder of appsettings.json, supabase/ and jobs/, for services that resolve relative paths.</summary>
public sealed record ContentRootPath(string Path);
