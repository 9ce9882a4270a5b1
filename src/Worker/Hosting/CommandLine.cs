namespace Worker.Hosting;

/// <summary>The worker's command line: no command runs the host; the others do one thing and exit.</summary>
public sealed record CommandLine(string Command, IReadOnlyList<string> Arguments, IReadOnlySet<string> Flags)
{
    public const string Host = "host";
    public const string Migrate = "migrate";

    public const string Usage = """
        Usage: Worker [command]

          (no command)        migrate, then run the host: Hangfire server, dashboard, health endpoints
          migrate [--seed]    apply migrations and policies (and seed data), print what was applied

        Host options are ASP.NET Core's, e.g. --urls http://127.0.0.1:5080.
        """;

    /// <summary>Arguments that go to the host's configuration: only when running the host itself.</summary>
    public string[] HostArguments => Command == Host ? [.. Arguments] : [];

    public bool HasFlag(string flag) => Flags.Contains(flag);

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return new CommandLine(Host, args, new HashSet<string>());
        }

        var flags = args.Skip(1).Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var arguments = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        return new CommandLine(args[0], arguments, flags);
    }

    /// <summary>Null when the command and its flags are known, else the message to print.</summary>
    public string? Validate()
    {
        var allowedFlags = Command switch
        {
            Host => null,
            Migrate => new[] { "--seed" },
            _ => [],
        };

        if (Command != Host && Command != Migrate)
        {
            return $"Unknown command '{Command}'.";
        }

        var unknown = allowedFlags is null ? null : Flags.FirstOrDefault(f => !allowedFlags.Contains(f));
        if (unknown is not null)
        {
            return $"Unknown option '{unknown}' for '{Command}'.";
        }

        return Command == Migrate && Arguments.Count > 0 ? $"'{Command}' takes no arguments." : null;
    }
}
