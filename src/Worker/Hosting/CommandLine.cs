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
    public const string ImportRerun = "import-rerun";

    public const string Usage = """
        Usage: Worker [command]

          (no command)        migrate, then run the host: Hangfire server, dashboard, health endpoints
          migrate [--seed]    apply migrations and policies (and seed data), print what was applied
          jobs                list the job catalogue with schedules and next run times
          run <job-id>        run one catalogue job now, in process, and print its summary
          import <dataset> <file> [--dry-run] [--partial] [--max-errors=N] [--date-format=dd/MM/yyyy] [--decimal-comma[=false]]
                 [--sum-duplicates] [--set column=value ...]
                              validate and load one CSV file; exit 0 when loaded, 1 with line-numbered errors
          import-rerun <batch-id>
                              load an interrupted import again from its stored file, in process; exit 0 when
                              loaded, 1 when refused (not interrupted, file pruned) or not loaded

        Host options are ASP.NET Core's, e.g. --urls http://127.0.0.1:5080.
        """;

    /// <summary>Arguments that go to the host's configuration: only when running the host itself.</summary>
    public string[] HostArguments => Command == Host ? [.. Arguments] : [];

    public bool HasFlag(string flag) => Options.ContainsKey(flag);

    public string? Value(string option) => Options.TryGetValue(option, out var value) ? value : null;

    /// <summary>Every value of an option that may be given more than once (--set a=1 --set b=2).</summary>
    public IReadOnlyList<string?> Values(string option) => [.. AllOptions.Where(o => o.Key == option).Select(o => o.Value)];

    /// <summary>The options in the order given, repeats included.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> AllOptions { get; init; } = [];

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            return new CommandLine(Host, args, new Dictionary<string, string?>());
        }

        // Options are --name or --name=value.
        // Options are --name or --name=value; "--set a=b" (a value after a space) is read for --set only.
        var all = new List<KeyValuePair<string, string?>>();
        var arguments = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                arguments.Add(args[i]);
                continue;
            }

            var parts = args[i].Split('=', 2);
            var value = parts.Length > 1 ? parts[1] : parts[0] == "--set" && i + 1 < args.Length ? args[++i] : null;
            all.Add(new(parts[0], value));
        }

        var options = all.GroupBy(o => o.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        return new CommandLine(args[0], arguments, options) { AllOptions = all };
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
            ImportRerun => ([], 1),
            Import => (["--dry-run", "--partial", "--max-errors", "--date-format", "--decimal-comma", "--sum-duplicates", "--set"], 2),
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
