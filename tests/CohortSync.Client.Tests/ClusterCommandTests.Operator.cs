using CohortSync.Client.Cli;

namespace CohortSync.Client.Tests;

/// <summary>What a new operator trips over: a run that cannot happen, a key Iterable refuses, a sync that cannot run.</summary>
public sealed partial class ClusterCommandTests
{
    [Fact]
    public async Task Sync_run_on_a_disabled_project_says_why_and_exits_1()
    {
        var projectId = await _cli.EnabledProjectAsync("run-disabled");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "u-1");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "hourly", wait: true);
        AssertExit(ExitCodes.Ok, await RunAsync(["project", "disable", projectId]));

        var run = await RunAsync(["sync", "run", projectId, syncId]);
        var json = await RunAsync(["sync", "run", projectId, syncId, "--json"]);
        var history = await RunAsync(["sync", "history", projectId, syncId, "--json"]);

        AssertExit(ExitCodes.Refused, run);
        Assert.Equal($"error: project {projectId} is disabled, so sync {syncId} cannot run; enable it again with 'cohortsync project enable {projectId}'",
            Assert.Single(run.StderrLines));
        Assert.Equal("", run.Stdout);
        AssertExit(ExitCodes.Refused, json);
        Assert.Contains("\"invalid_state\"", json.Stdout + json.Stderr);
        Assert.Equal(1, Json(history).GetArrayLength());
    }

    [Fact]
    public async Task Destination_add_refuses_a_key_Iterable_rejects_with_the_update_commands_errors()
    {
        var projectId = await _cli.EnabledProjectAsync("dest-add-bad-key");

        var rejected = await RunAsync(["destination", "add", projectId, "--name", "US", "--iterable-url", _cli.SandboxUrl], "iterable-key-nope\n");
        var listed = await RunAsync(["destination", "list", projectId]);

        AssertExit(ExitCodes.Refused, rejected);
        Assert.Equal("error: Iterable rejected the key (…nope); the destination was not added, check the key in Iterable (Integrations → API keys)",
            Assert.Single(rejected.StderrLines));
        Assert.DoesNotContain("iterable-key-nope", rejected.Stdout + rejected.Stderr);
        Assert.Equal("no destinations\n", listed.Stdout);
    }

    [Fact]
    public async Task Sync_start_on_a_destination_whose_key_was_rejected_warns_on_stderr_and_in_the_warning_field()
    {
        var projectId = await _cli.EnabledProjectAsync("start-unhealthy");
        World.Iterable.AddApiKey("iterable-key-7777", World.IterableProjectId);
        var added = await RunAsync(["destination", "add", projectId, "--name", "US", "--iterable-url", _cli.SandboxUrl], "iterable-key-7777\n");
        AssertExit(ExitCodes.Ok, added);
        var destinationId = added.Stdout.Trim();
        _cli.SetCohort(projectId, "c1", "u-1");
        _cli.SetCohort(projectId, "c2", "u-2");
        _cli.SetCohort(projectId, "c3", "u-3");
        World.Iterable.RevokeApiKey("iterable-key-7777");
        // The first sync's run finds the key rejected and marks the destination unhealthy.
        AssertExit(ExitCodes.RunFailed, await RunAsync(["sync", "start", projectId, "--cohort", "c1", "--destination", destinationId, "--cadence", "daily", "--wait"]));

        var text = await RunAsync(["sync", "start", projectId, "--cohort", "c2", "--destination", destinationId, "--cadence", "daily"]);
        var json = await RunAsync(["sync", "start", projectId, "--cohort", "c3", "--destination", destinationId, "--cadence", "hourly", "--json"]);

        AssertExit(ExitCodes.Ok, text);
        var warning = Assert.Single(text.StderrLines);
        Assert.StartsWith($"warning: this sync cannot run until destination {destinationId} has a key Iterable accepts: Iterable rejected", warning);
        Assert.Contains("cohortsync destination update", warning);
        Assert.DoesNotContain("7777", text.Stdout + text.Stderr);
        AssertExit(ExitCodes.Ok, json);
        Assert.Equal(warning["warning: ".Length..], Json(json).GetProperty("warning").GetString());
    }
}
