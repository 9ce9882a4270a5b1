namespace Worker.Hosting;

/// <summary>The worker's command line: no command runs the host; the others do one thing and exit.</summary>
public sealed record CommandLine(string Command, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Options)
{
    public IEnumerable<string> Flags => Options.Keys;

    public const string Host = "host";
    public const string Migrate = "migrate";
    public const string Jobs = "jobs";
    public const string Run = "run";
    public const string Import = "import";

    public const string Usage = """
        Usage: Worker [command]

          (no command)        migrate, then run the host: Hangfire server, dashboard, health endpoints
          migrate [--seed]    apply migrations and policies (and seed data), print what was applied
          jobs                list the job catalogue with schedules and next run times
          run <job-id>        run one catalogue job now, in process, and print its summary
          import <dataset> <file> [--dry-run] [--partial] [--max-errors=N] [--date-format=dd/MM/yyyy] [--decimal-comma]
                              validate and load one CSV file; exit 0 when loaded, 1 with line-numbered errors

        Host options are ASP.NET Core's, e.g. --urls http://127.0.0.1:5080.
        """;

    /// <summary>Arguments that go to the host's configuration: only when running the host itself.</summary>
    public string[] HostArguments => Command == Host ? [.. Arguments] : [];

    public bool HasFlag(string flag) => Options.ContainsKey(flag);

    public string? Value(string option) => Options.TryGetValue(option, out var value) ? value : null;

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return new CommandLine(Host, args, new Dictionary<string, string?>());
        }

        // Options are --name or --name=value.
        var options = args.Skip(1).Where(a => a.StartsWith("--", StringComparison.Ordinal))
            .Select(a => a.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : null, StringComparer.Ordinal);
        var arguments = args.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        return new CommandLine(args[0], arguments, options);
    }

    /// <summary>Null when the command and its flags are known, else the message to print.</summary>
    public string? Validate()
    {
        (string[]? Flags, int Arguments)? shape = Command switch
        {
            Host => (null, -1),
            Migrate => (["--seed"], 0),
            Jobs => ([], 0),
            Run => ([], 1),
            Import => (["--dry-run", "--partial", "--max-errors", "--date-format", "--decimal-comma"], 2),
            _ => null,
        };

        if (shape is not { } expected)
        {
            return $"Unknown command '{Command}'.";
        }

        var unknown = expected.Flags is null ? null : Flags.FirstOrDefault(f => !expected.Flags.Contains(f));
        if (unknown is not null)
        {
            return $"Unknown option '{unknown}' for '{Command}'.";
        }

        return expected.Arguments >= 0 && Arguments.Count != expected.Arguments
            ? $"'{Command}' takes {(expected.Arguments == 0 ? "no arguments" : $"{expected.Arguments} argument(s)")}."
            : null;
    }
}
