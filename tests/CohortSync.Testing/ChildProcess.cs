using System.Diagnostics;

namespace CohortSync.Testing;

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs one of the repository's built programs (`dotnet X.dll …`) from its own build output folder, as a
/// real child process. Each program keeps its own dependency manifest, so nothing is mixed with the test's.
/// </summary>
public static class ChildProcess
{
    public const string Silo = "silo/CohortSync.Silo.dll";
    public const string Client = "client/cohortsync.dll";
    public const string Sandbox = "src/CohortSync.Sandbox/CohortSync.Sandbox.dll";

    /// <summary>`silo/CohortSync.Silo.dll` → `&lt;repo&gt;/silo/bin/&lt;Configuration&gt;/net10.0/CohortSync.Silo.dll`, the configuration being the test's own.</summary>
    public static string PathOf(string program)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CohortSync.sln"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException("cannot find the repository root (CohortSync.sln) above " + AppContext.BaseDirectory);
        var project = Path.GetDirectoryName(program)!;
        var path = Path.Combine(root.FullName, project, "bin", configuration, framework, Path.GetFileName(program));
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; build the solution first (dotnet build CohortSync.sln)", path);
    }

    public static ProcessStartInfo For(string assembly, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(PathOf(assembly))!,
        };
        info.ArgumentList.Add(PathOf(assembly));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // A clean slate: nothing of the developer's own configuration leaks into the child.
        foreach (var name in new[] { "AMPLITUDE_API_KEY", "AMPLITUDE_SECRET_KEY", "ITERABLE_API_KEY", "COHORTSYNC_GATEWAY" })
            info.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) info.Environment[name] = value;
        return info;
    }

    public static async Task<ProcessResult> RunAsync(string assembly, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string stdin = "", TimeSpan? timeout = null)
    {
        using var process = Process.Start(For(assembly, args, environment))!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{assembly} {string.Join(' ', args)} did not exit in time; stderr: {await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
