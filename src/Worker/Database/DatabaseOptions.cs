using System.ComponentModel.DataAnnotations;

namespace Worker.Database;

/// <summary>
/// The "Database" section. The connection string itself is ConnectionStrings:Database; when it is
/// empty the worker runs its own local cluster described here.
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Where the embedded cluster keeps its data, relative to the content root.</summary>
    [Required]
    public string EmbeddedDataDirectory { get; set; } = ".data/postgres";

    [Required]
    [RegularExpression("^[a-z_][a-z0-9_]*$", ErrorMessage = "Database:EmbeddedDatabaseName must be a lower-case identifier.")]
    public string EmbeddedDatabaseName { get; set; } = "worker";

    /// <summary>
    /// Connections this process's own pool (pages, API, jobs) may open; Hangfire's pool adds
    /// Hangfire:WorkerCount + <see cref="DatabasePool.HangfireBesideWorkers"/>. Overrides Max Pool Size
    /// in the connection string. Size every worker's two pools below the server's max_connections
    /// (docs/operations.md, "Database connections").
    /// </summary>
    [Range(2, 1_000)]
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>Load supabase/seed when the host starts. Unset: only in the Development environment.</summary>
    public bool? SeedOnStart { get; set; }
}
