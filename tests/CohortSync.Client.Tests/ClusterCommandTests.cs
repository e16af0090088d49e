using System.Text.Json;
using CohortSync.Client.Cli;
using CohortSync.Client.Cluster;
using CohortSync.Client.Tests.StandIn;
using CohortSync.Contracts;

namespace CohortSync.Client.Tests;

/// <summary>
/// Commands through the real Orleans connector and a real gateway, against stand-in grains
/// (the real grains are tested with the silo). Pins what reaches the cluster and what comes back out.
/// </summary>
public sealed class ClusterCommandTests(StandInSiloFixture fixture) : IClassFixture<StandInSiloFixture>
{
    private readonly OrleansClusterConnector _connector = new(new ClusterIdentity(ClusterIdentity.DefaultId, ClusterIdentity.DefaultId));

    private Task<CliResult> RunAsync(string[] args, string stdin = "", Dictionary<string, string>? variables = null) =>
        CliHarness.RunAsync(_connector, [.. args, "--gateway", fixture.Silo.Gateway.ToString()], stdin, variables);

    private static void AssertExit(int expected, CliResult result) => Assert.True(result.ExitCode == expected, result.ToString());

    private async Task<string> EnabledProjectAsync(string projectId)
    {
        AssertExit(ExitCodes.Ok, await RunAsync(["project", "enable", projectId], "amp-key-0001\namp-secret-0002\n"));
        return projectId;
    }

    private async Task<string> DestinationAsync(string projectId)
    {
        var added = await RunAsync(["destination", "add", projectId, "--name", "US"], "iterable-key-7777\n");
        AssertExit(ExitCodes.Ok, added);
        return added.Stdout.Trim();
    }

    [Fact]
    public async Task Enable_sends_keys_from_stdin_and_prints_only_the_key_hint()
    {
        var result = await RunAsync(["project", "enable", "enable-stdin", "--amplitude-region", "EU"], "amp-api-key-1234\namp-secret-5678\n");

        AssertExit(ExitCodes.Ok, result);
        Assert.Contains("amplitude key  …1234", result.Stdout);
        Assert.DoesNotContain("amp-api-key", result.Stdout + result.Stderr);
        Assert.DoesNotContain("amp-secret", result.Stdout + result.Stderr);
        var request = Assert.IsType<EnableProjectRequest>(Assert.Single(await fixture.Silo.Grains.GetGrain<IStandInProject>("enable-stdin").RequestsAsync()));
        Assert.Equal(new EnableProjectRequest("amp-api-key-1234", "amp-secret-5678", "eu", null), request);
    }

    [Fact]
    public async Task Enable_prefers_keys_from_the_environment()
    {
        var result = await RunAsync(["project", "enable", "enable-env", "--amplitude-url", "http://localhost:5081"], "ignored\nignored\n",
            new() { ["AMPLITUDE_API_KEY"] = "env-key-abcd", ["AMPLITUDE_SECRET_KEY"] = "env-secret" });

        AssertExit(ExitCodes.Ok, result);
        var request = Assert.IsType<EnableProjectRequest>(Assert.Single(await fixture.Silo.Grains.GetGrain<IStandInProject>("enable-env").RequestsAsync()));
        Assert.Equal(new EnableProjectRequest("env-key-abcd", "env-secret", null, "http://localhost:5081"), request);
    }

    [Fact]
    public async Task Refusal_is_exit_1_with_the_cluster_message_on_one_line()
    {
        var result = await RunAsync(["project", "show", "never-enabled"]);

        AssertExit(ExitCodes.Refused, result);
        Assert.Equal("error: project never-enabled is not enabled", Assert.Single(result.StderrLines));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Refusal_in_json_mode_prints_the_error_code_on_stdout()
    {
        var result = await RunAsync(["destination", "show", "never-enabled-json", "d9", "--json"]);

        AssertExit(ExitCodes.Refused, result);
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal(ErrorCodes.UnknownDestination, document.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public async Task Destination_add_prints_the_id_alone()
    {
        var projectId = await EnabledProjectAsync("dest-add");

        var result = await RunAsync(["destination", "add", projectId, "--name", "EU team", "--user-property", "email", "--iterable-region", "eu"],
            variables: new() { ["ITERABLE_API_KEY"] = "iterable-key-9876" });

        AssertExit(ExitCodes.Ok, result);
        Assert.Equal("d1\n", result.Stdout);
        var request = Assert.IsType<AddDestinationRequest>((await fixture.Silo.Grains.GetGrain<IStandInProject>(projectId).RequestsAsync())[1]);
        Assert.Equal(new AddDestinationRequest("EU team", "iterable-key-9876", "email", "eu", null), request);
    }

    [Fact]
    public async Task Destination_list_and_remove()
    {
        var projectId = await EnabledProjectAsync("dest-list");
        var destinationId = await DestinationAsync(projectId);

        var listed = await RunAsync(["destination", "list", projectId, "--json"]);
        var removed = await RunAsync(["destination", "remove", projectId, destinationId]);
        var listedAfter = await RunAsync(["destination", "list", projectId]);

        AssertExit(ExitCodes.Ok, listed);
        using var document = JsonDocument.Parse(listed.Stdout);
        Assert.Equal("…7777", Assert.Single(document.RootElement.EnumerateArray()).GetProperty("keyHint").GetString());
        Assert.Equal($"removed destination {destinationId} from project {projectId}\n", removed.Stdout);
        Assert.Equal("no destinations\n", listedAfter.Stdout);
    }

    [Fact]
    public async Task Sync_start_prints_the_id_alone()
    {
        var projectId = await EnabledProjectAsync("sync-start");
        var destinationId = await DestinationAsync(projectId);

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh1", "--destination", destinationId, "--cadence", "15m"]);

        AssertExit(ExitCodes.Ok, result);
        Assert.Equal("s1\n", result.Stdout);
        var request = Assert.IsType<StartSyncRequest>((await fixture.Silo.Grains.GetGrain<IStandInProject>(projectId).RequestsAsync())[^1]);
        Assert.Equal(new StartSyncRequest("coh1", destinationId, Cadence.Parse("15m")), request);
    }

    [Fact]
    public async Task Sync_start_wait_prints_the_id_then_the_succeeded_run()
    {
        var projectId = await EnabledProjectAsync("sync-start-wait");
        var destinationId = await DestinationAsync(projectId);

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh1", "--destination", destinationId, "--cadence", "once", "--wait"]);

        AssertExit(ExitCodes.Ok, result);
        var lines = result.Stdout.Split('\n');
        Assert.Equal("s1", lines[0]);
        Assert.Contains("outcome   succeeded", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Waited_run_that_failed_is_exit_4_with_the_run_as_json()
    {
        var projectId = await EnabledProjectAsync("script-fail-wait");
        var destinationId = await DestinationAsync(projectId);

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh404", "--destination", destinationId, "--cadence", "daily", "--wait", "--json"]);

        AssertExit(ExitCodes.RunFailed, result);
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal("failed", document.RootElement.GetProperty("run").GetProperty("outcome").GetString());
        Assert.Equal("failed", document.RootElement.GetProperty("sync").GetProperty("state").GetString());
        Assert.Equal("error: run #1 of sync s1 ended failed: unknown cohort coh404", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Sync_run_wait_reports_the_run_it_triggered_not_the_previous_one()
    {
        var projectId = await EnabledProjectAsync("sync-run-wait");
        var destinationId = await DestinationAsync(projectId);
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "start", projectId, "--cohort", "c", "--destination", destinationId, "--cadence", "hourly", "--wait"]));

        var result = await RunAsync(["sync", "run", projectId, "s1", "--wait", "--json"]);

        AssertExit(ExitCodes.Ok, result);
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, document.RootElement.GetProperty("run").GetProperty("runNumber").GetInt64());
        var history = await RunAsync(["sync", "history", projectId, "s1", "--limit", "1", "--json"]);
        using var runs = JsonDocument.Parse(history.Stdout);
        Assert.Equal(2, Assert.Single(runs.RootElement.EnumerateArray()).GetProperty("runNumber").GetInt64());
    }

    [Fact]
    public async Task Sync_preview_prints_the_difference_with_samples()
    {
        await fixture.Silo.Grains.GetGrain<IStandInSync>(GrainKeys.Sync("preview", "s1"))
            .CreateAsync(new StartSyncRequest("c9", "d1", Cadence.Hourly), RunScript.QuickSuccess, runAtOnce: false);

        var text = await RunAsync(["sync", "preview", "preview", "s1"]);
        var json = await RunAsync(["sync", "preview", "preview", "s1", "--json"]);

        AssertExit(ExitCodes.Ok, text);
        Assert.Contains("would add     2: new-1, new-2", text.Stdout);
        Assert.Contains("would remove  1: gone-1", text.Stdout);
        AssertExit(ExitCodes.Ok, json);
        using var preview = JsonDocument.Parse(json.Stdout);
        Assert.Equal(2, preview.RootElement.GetProperty("adds").GetInt64());
        Assert.Equal(["new-1", "new-2"], preview.RootElement.GetProperty("sampleAdds").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Sync_wait_gives_up_after_the_timeout_with_exit_5()
    {
        await fixture.Silo.Grains.GetGrain<IStandInSync>(GrainKeys.Sync("endless", "s1"))
            .CreateAsync(new StartSyncRequest("c", "d1", Cadence.Hourly), RunScript.Endless, runAtOnce: true);

        var result = await RunAsync(["sync", "wait", "endless", "s1", "--timeout", "1s"]);

        AssertExit(ExitCodes.WaitTimedOut, result);
        Assert.StartsWith("error: no run finished within 1 s", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Waiting_on_a_paused_sync_that_never_ran_is_exit_4()
    {
        var key = GrainKeys.Sync("paused", "s1");
        await fixture.Silo.Grains.GetGrain<IStandInSync>(key).CreateAsync(new StartSyncRequest("c", "d1", Cadence.Hourly), RunScript.QuickSuccess, runAtOnce: false);
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "pause", "paused", "s1"]));

        var result = await RunAsync(["sync", "wait", "paused", "s1"]);

        AssertExit(ExitCodes.RunFailed, result);
        Assert.Equal("error: sync s1 is paused and has no run to wait for", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Status_and_list_show_the_sync()
    {
        var projectId = await EnabledProjectAsync("sync-show");
        var destinationId = await DestinationAsync(projectId);
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "start", projectId, "--cohort", "coh7", "--destination", destinationId, "--cadence", "daily", "--wait"]));

        var status = await RunAsync(["sync", "status", projectId, "s1"]);
        var list = await RunAsync(["sync", "list", projectId]);

        Assert.Contains("cohort       coh7", status.Stdout);
        Assert.Contains("last run     #1 succeeded", status.Stdout);
        Assert.Contains("#1 succeeded +3 -0", list.Stdout.Split('\n')[1]);
    }
}
