using System.Diagnostics;

namespace CohortSync.LoadHarness;

/// <summary>Writes a heap snapshot of a process with the dotnet-gcdump global tool.</summary>
public static class GcDump
{
    public static async Task CollectAsync(int processId, string path)
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        var start = new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-gcdump")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "collect", "-p", processId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", path })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet-gcdump did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet-gcdump failed ({process.ExitCode}): {await output}{await error}");
    }
}
