using System.Diagnostics;
using CohortSync.Cluster.Tests.Harness;
using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>What the Dockerfiles run, run here: `dotnet publish` of the silo and the client in Release.</summary>
[Trait("Speed", "Slow")]
public sealed class PublishTests
{
    [Theory]
    [InlineData("silo/CohortSync.Silo.csproj", "CohortSync.Silo.dll")]
    [InlineData("client/CohortSync.Client.csproj", "cohortsync.dll")]
    public async Task Dockerfile_publish_step_succeeds_and_produces_the_entry_assembly(string project, string entry)
    {
        using var output = new TempDirectory("cohortsync-publish-");
        // Intermediate files in a folder of their own, so this build does not race the solution's build over obj/.
        using var artifacts = new TempDirectory("cohortsync-publish-artifacts-");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "publish", project, "-c", "Release", "-o", output.Path, "--nologo", "--artifacts-path", artifacts.Path })
            info.ArgumentList.Add(arg);

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(process.ExitCode == 0, $"dotnet publish {project} exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        Assert.True(File.Exists(Path.Combine(output.Path, entry)), $"{entry} is not in the published folder");
    }
}
