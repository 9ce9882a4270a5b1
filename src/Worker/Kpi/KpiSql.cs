using System.Collections.Concurrent;

namespace Worker.Kpi;

/// <summary>The KPI layer's longer statements, embedded .sql files next to the code, loaded once.</summary>
internal static class KpiSql
{
    private static readonly ConcurrentDictionary<string, string> Loaded = new(StringComparer.Ordinal);

    public static string Evaluate => Load("KpiSnapshotEvaluate.sql");

    public static string Upsert => Load("KpiSnapshotUpsert.sql");

    private static string Load(string file) => Loaded.GetOrAdd(file, name =>
    {
        using var stream = typeof(KpiSql).Assembly.GetManifestResourceStream("Kpi/" + name)
            ?? throw new InvalidOperationException($"Embedded SQL resource 'Kpi/{name}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
