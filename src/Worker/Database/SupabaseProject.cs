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

    /// <summary>Version and file name of each migration, from the names alone (no file is read).</summary>
    public IReadOnlyList<(string Version, string FileName)> MigrationVersions() =>
        FileNames("migrations")
            .Select(name => (Match: MigrationFileName().Match(name), Name: name))
            .Where(x => x.Match.Success)
            .Select(x => (x.Match.Groups[1].Value, x.Name))
            .ToList();

    /// <summary>Names in supabase/migrations that the CLI would skip too (they do not match its pattern).</summary>
    public IReadOnlyList<string> IgnoredMigrationFiles() =>
        FileNames("migrations").Where(name => !MigrationFileName().IsMatch(name)).ToList();

    public IReadOnlyList<SqlScript> Policies() => Scripts("policies");

    public IReadOnlyList<SqlScript> Seed() => Scripts("seed");

    private List<SqlScript> Scripts(string folder) =>
        FileNames(folder).Select(name => SqlScript.FromFile(Path.Combine(Directory, folder, name), Path.Combine("supabase", folder, name))).ToList();

    private List<string> FileNames(string folder)
    {
        var path = Path.Combine(Directory, folder);
        return System.IO.Directory.Exists(path)
            ? System.IO.Directory.GetFiles(path, "*.sql").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    [GeneratedRegex(@"^([0-9]+)_(.*)\.sql$")]
    private static partial Regex MigrationFileName();
}
