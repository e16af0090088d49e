using CohortSync.Client.Cli;

namespace CohortSync.Client.Tests;

/// <summary>The removal guard through the CLI: set at start, a held run exits 4, preview warns, approve and reject decide.</summary>
public sealed partial class ClusterCommandTests
{
    [Fact]
    public async Task A_run_beyond_the_guard_is_held_then_approved_or_rejected_from_the_command_line()
    {
        var projectId = await _cli.EnabledProjectAsync("guard-cli");
        var destinationId = await _cli.DestinationAsync(projectId);
        var ten = Enumerable.Range(1, 10).Select(i => $"u-{i:D2}").ToArray();
        _cli.SetCohort(projectId, "c", ten);
        var started = await RunAsync(["sync", "start", projectId, "--cohort", "c", "--destination", destinationId, "--cadence", "hourly",
            "--guard", "10,0", "--wait"]);
        AssertExit(ExitCodes.Ok, started);
        var syncId = started.Stdout.Split('\n')[0];
        _cli.SetCohort(projectId, "c", ten[5..]);

        var preview = await RunAsync(["sync", "preview", projectId, syncId, "--json"]);
        var held = await RunAsync(["sync", "run", projectId, syncId, "--wait"]);
        var status = await RunAsync(["sync", "status", projectId, syncId]);

        Assert.True(Json(preview).GetProperty("wouldBeHeld").GetBoolean());
        Assert.Equal("10%,0", Json(preview).GetProperty("guard").GetString());
        AssertExit(ExitCodes.RunFailed, held);
        Assert.Contains($"run #2 of sync {syncId} ended held: held: this run would remove 5 of 10 members (50%), beyond the guard (more than 10% and 0 members)", held.Stderr);
        Assert.Contains("guard        10%,0 (holds runs removing more than 10% and 0 members, or every member)", status.Stdout);
        Assert.Contains("state        held: held: this run would remove 5 of 10 members", status.Stdout);

        var approved = await RunAsync(["sync", "approve", projectId, syncId, "--wait", "--json"]);
        var again = await RunAsync(["sync", "approve", projectId, syncId]);

        AssertExit(ExitCodes.Ok, approved);
        var run = Json(approved).GetProperty("run");
        Assert.Equal(("approved", 5), (run.GetProperty("trigger").GetString(), run.GetProperty("counts").GetProperty("removed").GetInt64()));
        AssertExit(ExitCodes.Refused, again);
        Assert.Contains($"sync {syncId} has no held run to approve (it is scheduled)", again.Stderr);

        _cli.SetCohort(projectId, "c");
        AssertExit(ExitCodes.RunFailed, await RunAsync(["sync", "run", projectId, syncId, "--wait"]));
        var rejected = await RunAsync(["sync", "reject", projectId, syncId, "--json"]);

        AssertExit(ExitCodes.Ok, rejected);
        Assert.Equal("paused", Json(rejected).GetProperty("state").GetString());
        Assert.StartsWith("held run #4 rejected by the operator; the list was kept as it is", Json(rejected).GetProperty("stateReason").GetString());
        Assert.Equal(5, Json(rejected).GetProperty("syncedCount").GetInt64());
    }

    [Fact]
    public async Task A_guard_that_is_not_off_or_a_percentage_is_refused_before_anything_is_sent()
    {
        var result = await RunAsync(["sync", "start", "p", "--cohort", "c", "--destination", "d", "--cadence", "hourly", "--guard", "150"]);

        AssertExit(ExitCodes.Usage, result);
        Assert.Contains("guard '150' is not off, PCT or PCT,MIN", result.Stderr);
    }
}
