using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Worker.Database;

/// <summary>
/// A private PostgreSQL cluster started from the server binaries on this machine: the worker's
/// embedded default database and the tests' throwaway database.
/// </summary>
/// <remarks>
/// initdb and postgres refuse to run as root, and CI runs as root, so when we are root every server
/// command runs as the <c>postgres</c> system user through <c>runuser</c>, in folders that user owns.
/// The cluster listens on a free loopback port only (no Unix socket, whose path length is limited).
/// Several processes may use one cluster (a worker, a second worker, a <c>migrate</c> command): each
/// registers itself in <c>&lt;data&gt;.users/</c> with a file it holds locked while it lives, and the
/// last one to leave stops the cluster. Starting, joining and leaving happen under <c>&lt;data&gt;.lock</c>,
/// so a process never joins a cluster that is being stopped. A killed process's file is no longer
/// locked and counts for nothing.
/// </remarks>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    private const string ServerUser = "postgres";

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly bool _throwaway;
    private readonly bool _startedHere;
    private readonly ILogger _logger;
    private FileStream? _registration;

    private LocalPostgresCluster(string binDirectory, string dataDirectory, int port, bool throwaway, bool startedHere, ILogger logger)
    {
        _binDirectory = binDirectory;
        _dataDirectory = dataDirectory;
        Port = port;
        _throwaway = throwaway;
        _startedHere = startedHere;
        _logger = logger;
    }

    public int Port { get; }

    public string DataDirectory => _dataDirectory;

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = ServerUser,
        Database = database,
    }.ConnectionString;

    /// <summary>The folder holding initdb, pg_ctl and postgres: PATH first, then the newest /usr/lib/postgresql/*/bin.</summary>
    public static string? FindBinDirectory()
    {
        var pathDirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in pathDirs)
        {
            var pgCtl = new FileInfo(Path.Combine(dir, "pg_ctl"));
            if (!pgCtl.Exists)
            {
                continue;
            }

            // /usr/local/bin/pg_ctl is often a link; the real folder also holds postgres and initdb.
            var real = pgCtl.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? pgCtl.FullName;
            var realDir = Path.GetDirectoryName(real)!;
            if (HasServerBinaries(realDir))
            {
                return realDir;
            }
        }

        var root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(x => HasServerBinaries(x.Dir))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static bool HasServerBinaries(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres"));

    /// <summary>
    /// Starts the cluster in <paramref name="dataDirectory"/>, creating it first when it is new. A
    /// cluster already running there (another worker on this machine) is joined; the last process to
    /// leave it (dispose) stops it.
    /// </summary>
    /// <param name="throwaway">For tests: no fsync, fast stop, folder deleted on dispose.</param>
    public static async Task<LocalPostgresCluster> StartAsync(string dataDirectory, bool throwaway, ILogger logger, CancellationToken cancellationToken = default)
    {
        var binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(
            "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on PATH or under /usr/lib/postgresql. " +
            "Install them (Debian: apt-get install postgresql) or configure a database with ConnectionStrings__Database.");

        dataDirectory = Path.GetFullPath(dataDirectory);
        await using var guard = await AcquireGuardAsync(dataDirectory, cancellationToken);
        var registration = Register(dataDirectory);
        try
        {
            var cluster = await StartOrJoinAsync(binDirectory, dataDirectory, throwaway, logger, cancellationToken);
            cluster._registration = registration;
            return cluster;
        }
        catch
        {
            await registration.DisposeAsync();
            throw;
        }
    }

    private static async Task<LocalPostgresCluster> StartOrJoinAsync(string binDirectory, string dataDirectory, bool throwaway, ILogger logger, CancellationToken cancellationToken)
    {
        PrepareDirectory(dataDirectory);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            LocalClusterLog.CreatingCluster(logger, dataDirectory);
            var initArgs = new List<string> { "-D", dataDirectory, "-A", "trust", "-U", ServerUser, "-E", "UTF8", "--locale=C" };
            if (throwaway)
            {
                initArgs.Add("--no-sync");
            }

            await RunServerToolAsync(binDirectory, "initdb", initArgs, dataDirectory, cancellationToken);
        }

        var runningPort = await FindRunningPortAsync(binDirectory, dataDirectory, cancellationToken);
        if (runningPort is int port)
        {
            LocalClusterLog.ReusingCluster(logger, dataDirectory, port);
            return new LocalPostgresCluster(binDirectory, dataDirectory, port, throwaway, startedHere: false, logger);
        }

        // The port is free when we look; another process may take it before postgres binds, so try again once.
        for (var attempt = 1; ; attempt++)
        {
            port = FreeLoopbackPort();
            var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''";
            if (throwaway)
            {
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            }

            try
            {
                await RunServerToolAsync(binDirectory, "pg_ctl",
                    ["start", "-D", dataDirectory, "-w", "-t", "60", "-l", Path.Combine(dataDirectory, "server.log"), "-o", options],
                    dataDirectory, cancellationToken);
                LocalClusterLog.StartedCluster(logger, dataDirectory, port);
                return new LocalPostgresCluster(binDirectory, dataDirectory, port, throwaway, startedHere: true, logger);
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
                // fall through to another port
            }
        }
    }

    /// <summary>
    /// Holds <c>&lt;data&gt;.lock</c> (an exclusive lock on an open file, which the kernel drops if the
    /// process dies) while a process starts, joins or leaves the cluster.
    /// </summary>
    private static async Task<FileStream> AcquireGuardAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var path = dataDirectory + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken); // another process is starting or stopping the cluster
            }
        }
    }

    /// <summary>This process's file in <c>&lt;data&gt;.users/</c>, locked while it is open and deleted when closed.</summary>
    private static FileStream Register(string dataDirectory)
    {
        var users = Directory.CreateDirectory(dataDirectory + ".users").FullName;
        return new FileStream(Path.Combine(users, $"{Environment.ProcessId}-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write, FileShare.None,
            bufferSize: 1, FileOptions.DeleteOnClose);
    }

    /// <summary>Other processes still using the cluster; files of processes that died are removed.</summary>
    private static int OtherUsers(string dataDirectory)
    {
        var users = dataDirectory + ".users";
        if (!Directory.Exists(users))
        {
            return 0;
        }

        var alive = 0;
        foreach (var file in Directory.GetFiles(users))
        {
            try
            {
                using var stale = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            }
            catch (IOException ex) when (ex is not FileNotFoundException)
            {
                alive++; // locked: its process is alive
            }
            catch (FileNotFoundException)
            {
                // its process just left
            }
        }

        return alive;
    }

    /// <summary>Creates <paramref name="database"/> unless it exists.</summary>
    public async Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection) { Parameters = { new() { Value = database } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"create database {QuoteIdentifier(database)}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Restarts the server on the same port (fast shutdown: open sessions are cut off), for fault tests.
    /// Its output goes to the log file: a server writing to our pipe would keep it open for ever.
    /// </summary>
    internal Task RestartAsync() =>
        RunServerToolAsync(_binDirectory, "pg_ctl", ["restart", "-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "-l", Path.Combine(_dataDirectory, "server.log")], _dataDirectory, CancellationToken.None);

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Leaves the cluster; the last process using it stops it (whichever process started it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_registration is null)
        {
            return;
        }

        await using var guard = await AcquireGuardAsync(_dataDirectory, CancellationToken.None);
        await _registration.DisposeAsync();
        _registration = null;
        if (OtherUsers(_dataDirectory) is var others and > 0)
        {
            LocalClusterLog.LeftRunning(_logger, _dataDirectory, others, _startedHere);
            return;
        }

        try
        {
            await RunServerToolAsync(_binDirectory, "pg_ctl",
                ["stop", "-D", _dataDirectory, "-m", _throwaway ? "immediate" : "fast", "-w", "-t", "60"],
                _dataDirectory, CancellationToken.None);
            LocalClusterLog.StoppedCluster(_logger, _dataDirectory);
        }
        catch (InvalidOperationException ex)
        {
            LocalClusterLog.StopFailed(_logger, _dataDirectory, ex);
        }

        if (_throwaway)
        {
            File.Delete(_dataDirectory + ".lock");
            foreach (var folder in new[] { _dataDirectory, _dataDirectory + ".users" })
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A temp folder left behind is harmless; the next test run sweeps it.
                }
            }
        }
    }

    private static async Task<int?> FindRunningPortAsync(string binDirectory, string dataDirectory, CancellationToken cancellationToken)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        // pg_ctl status exits 0 only when the postmaster named in postmaster.pid is alive.
        var (exitCode, _) = await RunAsync(binDirectory, "pg_ctl", ["status", "-D", dataDirectory], dataDirectory, cancellationToken);
        if (exitCode != 0)
        {
            return null;
        }

        // Line 4 of postmaster.pid is the port.
        var lines = await File.ReadAllLinesAsync(pidFile, cancellationToken);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    private static void PrepareDirectory(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        if (!IsRoot)
        {
            return;
        }

        using var chown = Process.Start(new ProcessStartInfo("chown", [$"{ServerUser}:", dataDirectory]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("Could not start chown.");
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown {ServerUser}: {dataDirectory} failed: {chown.StandardError.ReadToEnd().Trim()}");
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunServerToolAsync(string binDirectory, string tool, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunAsync(binDirectory, tool, arguments, workingDirectory, cancellationToken);
        if (exitCode != 0)
        {
            var hint = IsRoot
                ? $" (running as the '{ServerUser}' user: every folder above {workingDirectory} must be searchable by it)"
                : "";
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed with exit code {exitCode}{hint}:\n{output.Trim()}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string binDirectory, string tool, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(binDirectory, tool);
        var start = new ProcessStartInfo
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        if (IsRoot)
        {
            start.FileName = "runuser";
            foreach (var arg in new[] { "-u", ServerUser, "--", executable })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            start.FileName = executable;
        }

        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}

internal static partial class LocalClusterLog
{
    [LoggerMessage(1001, LogLevel.Information, "Creating a local PostgreSQL cluster in {DataDirectory}")]
    public static partial void CreatingCluster(ILogger logger, string dataDirectory);

    [LoggerMessage(1002, LogLevel.Information, "Reusing the local PostgreSQL cluster already running in {DataDirectory} on port {Port}")]
    public static partial void ReusingCluster(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(1003, LogLevel.Information, "Started the local PostgreSQL cluster in {DataDirectory} on 127.0.0.1:{Port}")]
    public static partial void StartedCluster(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(1004, LogLevel.Information, "Stopped the local PostgreSQL cluster in {DataDirectory}")]
    public static partial void StoppedCluster(ILogger logger, string dataDirectory);

    [LoggerMessage(1005, LogLevel.Warning, "Could not stop the local PostgreSQL cluster in {DataDirectory}")]
    public static partial void StopFailed(ILogger logger, string dataDirectory, Exception exception);

    [LoggerMessage(1006, LogLevel.Information, "Left the local PostgreSQL cluster in {DataDirectory} running: {Others} other process(es) use it (started here: {StartedHere})")]
    public static partial void LeftRunning(ILogger logger, string dataDirectory, int others, bool startedHere);
}
