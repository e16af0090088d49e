using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace CohortSync.Testing;

/// <summary>
/// A throwaway PostgreSQL server started from the server binaries on this machine (initdb, pg_ctl)
/// in a temp folder, on a free loopback port, tuned for tests (fsync off). When the tests run as
/// root the server runs as the unprivileged <c>postgres</c> user, because PostgreSQL refuses root.
/// Stop/Start restart it on the same data folder; Kill stops it the way a crash would.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private const string InstallHint =
        "Install the PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql`) or put initdb and pg_ctl on PATH.";

    private readonly string _binDirectory;
    private readonly TempDirectory _root;
    private readonly bool _runAsServiceUser;
    private int _databaseCounter;

    private PostgresServer(string binDirectory, TempDirectory root, int port, bool runAsServiceUser)
    {
        _binDirectory = binDirectory;
        _root = root;
        Port = port;
        _runAsServiceUser = runAsServiceUser;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public bool IsRunning { get; private set; }

    private string DataDirectory => Path.Combine(_root.Path, "data");

    private string LogFile => Path.Combine(_root.Path, "server.log");

    /// <summary>Connection string of the superuser to <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = ServiceUser,
        Database = database,
        Timeout = 15,
        CommandTimeout = 60,
    }.ConnectionString;

    /// <summary>Creates the data folder with initdb and starts the server.</summary>
    public static async Task<PostgresServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = FindBinDirectory()
            ?? throw new InvalidOperationException($"PostgreSQL server binaries (initdb, pg_ctl) were not found in PATH or /usr/lib/postgresql/*/bin. {InstallHint}");
        var runAsServiceUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        var root = new TempDirectory("cohortsync-pg-");
        var server = new PostgresServer(binDirectory, root, FreePorts.Next(), runAsServiceUser);
        try
        {
            await server.InitializeAsync(cancellationToken);
            await server.StartAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_runAsServiceUser)
        {
            if (!File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser") && !File.Exists("/usr/bin/runuser"))
                throw new InvalidOperationException("Running as root, the server must run as the 'postgres' user, but `runuser` was not found.");
            // PostgreSQL refuses to run as root; the folder must belong to the user that runs it.
            try
            {
                await RunAsync("chown", [$"{ServiceUser}:", _root.Path], asServiceUser: false, cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidOperationException(
                    $"Running as root, the server must run as the '{ServiceUser}' user, which could not own its data folder. {InstallHint} (the package creates that user)", ex);
            }
        }

        await RunAsync(Path.Combine(_binDirectory, "initdb"),
            ["-D", DataDirectory, "-U", ServiceUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            _runAsServiceUser, cancellationToken);

        var settings = string.Join('\n',
            $"port = {Port.ToString(CultureInfo.InvariantCulture)}",
            "listen_addresses = '127.0.0.1'",
            $"unix_socket_directories = '{_root.Path}'",
            // fsync off only risks data when the machine itself crashes; a killed server (KillAsync) still
            // recovers every committed transaction, which the fault tests rely on.
            "fsync = off",
            "full_page_writes = off",
            "max_connections = 200",
            "");
        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), "\n" + settings, cancellationToken);
    }

    /// <summary>Starts the server on its data folder and waits until it accepts connections.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "start"],
            _runAsServiceUser, cancellationToken);
        IsRunning = true;
    }

    /// <summary>Stops the server cleanly (fast shutdown: open sessions are disconnected).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
            _runAsServiceUser, cancellationToken);
        IsRunning = false;
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Stops the server without a checkpoint, as a crash would; a later start recovers from the WAL.</summary>
    public async Task KillAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"],
            _runAsServiceUser, cancellationToken);
        IsRunning = false;
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Creates an empty database and returns the connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        name ??= $"db_{Interlocked.Increment(ref _databaseCounter).ToString(CultureInfo.InvariantCulture)}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            try
            {
                await KillAsync();
            }
            catch (InvalidOperationException)
            {
                // Best effort: the folder is removed below either way.
            }
        }
        _root.Dispose();
    }

    private static string? FindBinDirectory()
    {
        const string versionsRoot = "/usr/lib/postgresql";
        if (Directory.Exists(versionsRoot))
        {
            var newest = Directory.GetDirectories(versionsRoot)
                .Select(d => (Directory: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .Where(x => File.Exists(Path.Combine(x.Directory, "bin", "initdb")) && File.Exists(Path.Combine(x.Directory, "bin", "pg_ctl")))
                .OrderByDescending(x => x.Version)
                .Select(x => Path.Combine(x.Directory, "bin"))
                .FirstOrDefault();
            if (newest is not null) return newest;
        }

        foreach (var entry in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(entry, "initdb")) && File.Exists(Path.Combine(entry, "pg_ctl"))) return entry;
        }
        return null;
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServiceUser, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = asServiceUser ? "runuser" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root.Path,
        };
        if (asServiceUser)
        {
            foreach (var a in new[] { "-u", ServiceUser, "--", program }) startInfo.ArgumentList.Add(a);
        }
        foreach (var a in arguments) startInfo.ArgumentList.Add(a);

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile, cancellationToken) : "";
            throw new InvalidOperationException(
                $"`{program} {string.Join(' ', arguments)}` exited with {process.ExitCode}.\n{await stdout}\n{await stderr}\n{log}");
        }
    }
}
