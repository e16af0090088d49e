using CohortSync.Client.Cli;

namespace CohortSync.Client.Tests;

/// <summary><c>project enable --organisation NAME</c>: the projects of one organisation count their downloads against one quota.</summary>
public sealed partial class ClusterCommandTests
{
    [Fact]
    public async Task Projects_enabled_in_one_organisation_show_one_count_and_a_project_moved_out_counts_on_its_own()
    {
        var projects = new[] { "org-cli-a", "org-cli-b" };
        foreach (var projectId in projects)
        {
            var (key, secret) = _cli.AmplitudeProject(projectId);
            AssertExit(ExitCodes.Ok, await RunAsync(["project", "enable", projectId, "--amplitude-url", _cli.SandboxUrl, "--organisation", "acme-org"], $"{key}\n{secret}\n"));
            _cli.SetCohort(projectId, "c", "o-1");
            await _cli.StartSyncAsync(projectId, "c", await _cli.DestinationAsync(projectId), "daily", wait: true);
        }

        var a = Json(await RunAsync(["project", "show", "org-cli-a", "--json"])).GetProperty("downloads");
        var b = Json(await RunAsync(["project", "show", "org-cli-b", "--json"])).GetProperty("downloads");
        var (key2, secret2) = _cli.AmplitudeProject("org-cli-a");
        AssertExit(ExitCodes.Ok, await RunAsync(["project", "enable", "org-cli-a", "--amplitude-url", _cli.SandboxUrl, "--organisation", "other-org"], $"{key2}\n{secret2}\n"));
        var moved = Json(await RunAsync(["project", "show", "org-cli-a", "--json"])).GetProperty("downloads");
        var left = Json(await RunAsync(["project", "show", "org-cli-b", "--json"])).GetProperty("downloads");

        // Each project's first run downloaded once: the organisation counts both, whichever project is asked.
        Assert.Equal(("acme-org", 2), (a.GetProperty("organisation").GetString(), a.GetProperty("used").GetInt32()));
        Assert.Equal(("acme-org", 2), (b.GetProperty("organisation").GetString(), b.GetProperty("used").GetInt32()));
        // Moved: counting starts anew in the other organisation; what was counted stays where it was.
        Assert.Equal(("other-org", 0), (moved.GetProperty("organisation").GetString(), moved.GetProperty("used").GetInt32()));
        Assert.Equal(("acme-org", 2), (left.GetProperty("organisation").GetString(), left.GetProperty("used").GetInt32()));
    }
}
