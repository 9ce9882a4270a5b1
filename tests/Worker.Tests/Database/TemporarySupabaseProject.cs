using Worker.Database;

namespace Worker.Tests.Database;

/// <summary>A supabase/ folder of a test's own, for scripts the real project must never contain.</summary>
internal sealed class TemporarySupabaseProject : IDisposable
{
    public TemporarySupabaseProject()
    {
        Directory = Path.Combine(Path.GetTempPath(), "worker-supabase-" + Guid.NewGuid().ToString("N"));
        foreach (var folder in new[] { "migrations", "policies", "seed" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, folder));
        }
    }

    public string Directory { get; }

    public SupabaseProject Project => new(Directory);

    public TemporarySupabaseProject Write(string relativePath, string sql)
    {
        File.WriteAllText(Path.Combine(Directory, relativePath), sql);
        return this;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
