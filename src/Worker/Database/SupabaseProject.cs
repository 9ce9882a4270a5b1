using System.Text.RegularExpressions;

namespace Worker.Database;

/// <summary>One migration file, versioned the way the Supabase CLI versions it.</summary>
public sealed record MigrationFile(string Version, string Name, SqlScript Script);

/// <summary>The scripts of the supabase/ folder: migrations, policies and seed, in the order they run.</summary>
public sealed partial class SupabaseProject(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>Files matching the CLI's pattern <c>^([0-9]+)_(.*)\.sql$</c>, sorted by name as the CLI sorts them.</summary>
    public IReadOnlyList<MigrationFile> Migrations() =>
        Scripts("migrations")
            .Select(script => (Script: script, Match: MigrationFileName().Match(script.Name)))
            .Where(x => x.Match.Success)
            .Select(x => new MigrationFile(x.Match.Groups[1].Value, x.Match.Groups[2].Value, x.Script))
            .ToList();

    /// <summary>Names in supabase/migrations that the CLI would skip too (they do not match its pattern).</summary>
    public IReadOnlyList<string> IgnoredMigrationFiles() =>
        Scripts("migrations").Where(s => !MigrationFileName().IsMatch(s.Name)).Select(s => s.Name).ToList();

    public IReadOnlyList<SqlScript> Policies() => Scripts("policies");

    public IReadOnlyList<SqlScript> Seed() => Scripts("seed");

    private List<SqlScript> Scripts(string folder)
    {
        var path = Path.Combine(Directory, folder);
        if (!System.IO.Directory.Exists(path))
        {
            return [];
        }

        return System.IO.Directory.GetFiles(path, "*.sql")
            .Order(StringComparer.Ordinal)
            .Select(file => SqlScript.FromFile(file, Path.Combine("supabase", folder, Path.GetFileName(file))))
            .ToList();
    }

    [GeneratedRegex(@"^([0-9]+)_(.*)\.sql$")]
    private static partial Regex MigrationFileName();
}
