using CohortSync.Client.Cli;
using CohortSync.Sandbox.Amplitude;

namespace CohortSync.Client.Tests;

/// <summary><c>sync update --follow-rename</c>: refused for a cohort not renamed; after a rename, a new list under the new name.</summary>
public sealed partial class ClusterCommandTests
{
    [Fact]
    public async Task Sync_update_follow_rename_refuses_a_cohort_not_renamed_and_moves_a_renamed_one_to_a_new_list()
    {
        var projectId = await _cli.EnabledProjectAsync("rename-cli");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "r-1", "r-2");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "daily", wait: true);

        var notRenamed = await RunAsync(["sync", "update", projectId, syncId, "--follow-rename", "--json"]);
        var nothingAsked = await RunAsync(["sync", "update", projectId, syncId]);
        World.Sandbox.Amplitude.PutMembers(OperatorSession.AmplitudeKeys(projectId).Key, "c", "Renamed Cohort",
            [new AmplitudeMember(1_000_000, "r-1"), new AmplitudeMember(1_000_001, "r-3")]);
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "run", projectId, syncId, "--wait"]));
        var renamed = Json(await RunAsync(["sync", "status", projectId, syncId, "--json"]));
        var moved = await RunAsync(["sync", "update", projectId, syncId, "--follow-rename", "--list", "delete", "--wait", "--json"]);

        AssertExit(ExitCodes.Refused, notRenamed);
        Assert.Contains("was not renamed", notRenamed.Stderr);
        AssertExit(ExitCodes.Usage, nothingAsked);
        Assert.Contains("nothing to update: say --follow-rename", nothingAsked.Stderr);
        Assert.True(renamed.GetProperty("cohortRenamed").GetBoolean());
        AssertExit(ExitCodes.Ok, moved);
        var json = Json(moved);
        var run = json.GetProperty("run");
        Assert.Equal(("follow-rename", "delete", "succeeded", 2L), (run.GetProperty("trigger").GetString(), run.GetProperty("leftList").GetString(),
            run.GetProperty("outcome").GetString(), run.GetProperty("counts").GetProperty("added").GetInt64()));
        var status = Json(await RunAsync(["sync", "status", projectId, syncId, "--json"]));
        Assert.Equal(("[Amplitude] Renamed Cohort", false), (status.GetProperty("listName").GetString(), status.GetProperty("cohortRenamed").GetBoolean()));
        Assert.Equal(["r-1", "r-3"], World.ListMembers(status.GetProperty("listId").GetInt64()).Order());
        Assert.NotEqual(renamed.GetProperty("listId").GetInt64(), status.GetProperty("listId").GetInt64());
    }
}
