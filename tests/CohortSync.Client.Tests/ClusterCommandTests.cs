using System.Text.Json;
using System.Text.RegularExpressions;
using CohortSync.Client.Cli;
using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;

namespace CohortSync.Client.Tests;

/// <summary>
/// Commands through the real Orleans connector and gateway to the real grains on a real silo, with the sandbox as
/// Amplitude and Iterable. Pins what reaches the cluster (by what the cluster then does with it) and what comes back out.
/// </summary>
[Collection(RealSiloCollection.Name)]
public sealed partial class ClusterCommandTests(RealSiloFixture fixture)
{
    private readonly OperatorSession _cli = new(fixture);

    private World World => _cli.World;

    private Task<CliResult> RunAsync(string[] args, string stdin = "", Dictionary<string, string>? variables = null) => _cli.RunAsync(args, stdin, variables);

    private static void AssertExit(int expected, CliResult result) => OperatorSession.Expect(expected, result);

    private static JsonElement Json(CliResult result)
    {
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    [GeneratedRegex("^d-[0-9a-f]{8}\n$")]
    private static partial Regex DestinationIdLine();

    [GeneratedRegex("^s-[0-9a-f]{8}\n$")]
    private static partial Regex SyncIdLine();

    [Fact]
    public async Task Enable_sends_keys_from_stdin_and_prints_only_the_key_hint()
    {
        var (key, secret) = _cli.AmplitudeProject("enable-stdin");
        _cli.SetCohort("enable-stdin", "c1", "u-1");

        var result = await RunAsync(["project", "enable", "enable-stdin", "--amplitude-url", _cli.SandboxUrl], $"{key}\n{secret}\n");

        AssertExit(ExitCodes.Ok, result);
        Assert.Contains($"amplitude key  …{key[^4..]}", result.Stdout);
        Assert.Contains($"amplitude      {_cli.SandboxUrl.TrimEnd('/')}", result.Stdout);
        Assert.DoesNotContain(key, result.Stdout + result.Stderr);
        Assert.DoesNotContain(secret, result.Stdout + result.Stderr);
        // The sandbox answers only the right key and secret: a run that reads the cohort proves both reached the cluster.
        var destinationId = await _cli.DestinationAsync("enable-stdin");
        var started = await RunAsync(["sync", "start", "enable-stdin", "--cohort", "c1", "--destination", destinationId, "--cadence", "once", "--wait"]);
        AssertExit(ExitCodes.Ok, started);
    }

    [Fact]
    public async Task Enable_prefers_keys_from_the_environment()
    {
        var (key, secret) = _cli.AmplitudeProject("enable-env");
        _cli.SetCohort("enable-env", "c1", "u-1");

        var result = await RunAsync(["project", "enable", "enable-env", "--amplitude-url", _cli.SandboxUrl, "--json"], "ignored-key\nignored-secret\n",
            new() { ["AMPLITUDE_API_KEY"] = key, ["AMPLITUDE_SECRET_KEY"] = secret });

        AssertExit(ExitCodes.Ok, result);
        Assert.Equal($"…{key[^4..]}", Json(result).GetProperty("amplitudeKeyHint").GetString());
        var destinationId = await _cli.DestinationAsync("enable-env");
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "start", "enable-env", "--cohort", "c1", "--destination", destinationId, "--cadence", "once", "--wait"]));
    }

    [Fact]
    public async Task Enable_with_a_region_is_shown_with_that_region_s_endpoint()
    {
        AssertExit(ExitCodes.Ok, await RunAsync(["project", "enable", "enable-eu", "--amplitude-region", "EU"], "amp-api-key-1234\namp-secret-5678\n"));

        var shown = await RunAsync(["project", "show", "enable-eu", "--json"]);

        AssertExit(ExitCodes.Ok, shown);
        var project = Json(shown);
        Assert.Equal("https://analytics.eu.amplitude.com", project.GetProperty("amplitudeUrl").GetString());
        Assert.Equal("…1234", project.GetProperty("amplitudeKeyHint").GetString());
        Assert.True(project.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Refusal_is_exit_1_with_the_cluster_message_on_one_line()
    {
        var result = await RunAsync(["project", "show", "never-enabled"]);

        AssertExit(ExitCodes.Refused, result);
        Assert.Equal("error: project never-enabled is not enabled (run 'cohortsync project enable never-enabled')", Assert.Single(result.StderrLines));
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Refusal_in_json_mode_prints_the_error_code_on_stdout()
    {
        var projectId = await _cli.EnabledProjectAsync("refused-json");

        var result = await RunAsync(["destination", "show", projectId, "d-00000000", "--json"]);

        AssertExit(ExitCodes.Refused, result);
        Assert.Equal(ErrorCodes.UnknownDestination, Json(result).GetProperty("error").GetProperty("code").GetString());
        Assert.Single(result.StderrLines);
    }

    [Fact]
    public async Task Destination_add_prints_the_id_alone()
    {
        var projectId = await _cli.EnabledProjectAsync("dest-add");
        // Added only once Iterable accepts the key, so the sandbox stands in for a region (IterableRegionsTests pins those URLs).
        World.Iterable.AddApiKey("iterable-key-9876", World.IterableProjectId);

        var result = await RunAsync(["destination", "add", projectId, "--name", "EU team", "--user-property", "email", "--iterable-url", _cli.SandboxUrl],
            variables: new() { ["ITERABLE_API_KEY"] = "iterable-key-9876" });

        AssertExit(ExitCodes.Ok, result);
        Assert.Matches(DestinationIdLine(), result.Stdout);
        var shown = await RunAsync(["destination", "show", projectId, result.Stdout.Trim(), "--json"]);
        AssertExit(ExitCodes.Ok, shown);
        var destination = Json(shown);
        Assert.Equal("EU team", destination.GetProperty("name").GetString());
        Assert.Equal("email", destination.GetProperty("userProperty").GetString());
        Assert.Equal(_cli.SandboxUrl.TrimEnd('/'), destination.GetProperty("iterableUrl").GetString());
        Assert.Equal("…9876", destination.GetProperty("keyHint").GetString());
    }

    [Fact]
    public async Task Destination_concurrency_is_set_on_add_kept_or_changed_on_update_and_refused_outside_its_range()
    {
        var projectId = await _cli.EnabledProjectAsync("dest-concurrency");
        var key = new Dictionary<string, string> { ["ITERABLE_API_KEY"] = World.IterableKey };

        var added = await RunAsync(["destination", "add", projectId, "--name", "Far DC", "--iterable-url", _cli.SandboxUrl, "--concurrency", "2"],
            variables: key);
        var destinationId = added.Stdout.Trim();
        var kept = await RunAsync(["destination", "update", projectId, destinationId, "--rate", "5", "--json"], variables: key);
        var changed = await RunAsync(["destination", "update", projectId, destinationId, "--concurrency", "8"], variables: key);
        var refused = await RunAsync(["destination", "update", projectId, destinationId, "--concurrency", "0"], variables: key);

        AssertExit(ExitCodes.Ok, added);
        Assert.Equal(2, Json(kept).GetProperty("concurrency").GetInt32());
        AssertExit(ExitCodes.Ok, changed);
        Assert.Contains("requests in flight  8", changed.Stdout);
        AssertExit(ExitCodes.Usage, refused);
        Assert.Contains("--concurrency must be between 1 and 64", refused.Stderr);
    }

    [Fact]
    public async Task Destination_list_and_remove()
    {
        var projectId = await _cli.EnabledProjectAsync("dest-list");
        var destinationId = await _cli.DestinationAsync(projectId);

        var listed = await RunAsync(["destination", "list", projectId, "--json"]);
        var removed = await RunAsync(["destination", "remove", projectId, destinationId]);
        var listedAfter = await RunAsync(["destination", "list", projectId]);

        AssertExit(ExitCodes.Ok, listed);
        var only = Assert.Single(Json(listed).EnumerateArray());
        Assert.Equal(destinationId, only.GetProperty("destinationId").GetString());
        Assert.Equal($"…{World.IterableKey[^4..]}", only.GetProperty("keyHint").GetString());
        Assert.Equal($"removed destination {destinationId} from project {projectId}\n", removed.Stdout);
        Assert.Equal("no destinations\n", listedAfter.Stdout);
    }

    [Fact]
    public async Task Destination_update_takes_a_key_Iterable_accepts_and_refuses_one_it_rejects()
    {
        var projectId = await _cli.EnabledProjectAsync("dest-update");
        var destinationId = await _cli.DestinationAsync(projectId);
        World.Iterable.AddApiKey("iterable-key-5555", World.IterableProjectId);

        var updated = await RunAsync(["destination", "update", projectId, destinationId], "iterable-key-5555\n");
        var rejected = await RunAsync(["destination", "update", projectId, destinationId], "iterable-key-nope\n");
        var shown = await RunAsync(["destination", "show", projectId, destinationId]);

        AssertExit(ExitCodes.Ok, updated);
        Assert.Contains("iterable key  …5555", updated.Stdout);
        AssertExit(ExitCodes.Refused, rejected);
        Assert.Equal("error: Iterable rejected the new key (…nope) as well; the destination was not changed", Assert.Single(rejected.StderrLines));
        Assert.Contains("iterable key  …5555", shown.Stdout);
    }

    [Fact]
    public async Task Sync_start_prints_the_id_alone()
    {
        var projectId = await _cli.EnabledProjectAsync("sync-start");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "coh1", "u-1");

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh1", "--destination", destinationId, "--cadence", "15m"]);

        AssertExit(ExitCodes.Ok, result);
        Assert.Matches(SyncIdLine(), result.Stdout);
        var status = Json(await RunAsync(["sync", "status", projectId, result.Stdout.Trim(), "--json"]));
        Assert.Equal("coh1", status.GetProperty("cohortId").GetString());
        Assert.Equal(OperatorSession.CohortName(projectId, "coh1"), status.GetProperty("cohortName").GetString());
        Assert.Equal(destinationId, status.GetProperty("destinationId").GetString());
        Assert.Equal(Cadence.Parse("15m").ToString(), status.GetProperty("cadence").GetString());
    }

    [Fact]
    public async Task Sync_start_with_a_cadence_beyond_the_download_quota_starts_and_warns_on_stderr()
    {
        var projectId = await _cli.EnabledProjectAsync("sync-start-quota");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "coh1", "u-1");

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh1", "--destination", destinationId, "--cadence", "hourly"]);

        AssertExit(ExitCodes.Ok, result);
        Assert.Matches(SyncIdLine(), result.Stdout);
        Assert.StartsWith("warning: cadence hourly needs about 720 Amplitude cohort downloads a month, more than the quota of ", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Sync_start_of_a_cohort_Amplitude_does_not_have_is_refused()
    {
        var projectId = await _cli.EnabledProjectAsync("sync-start-unknown");
        var destinationId = await _cli.DestinationAsync(projectId);

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh404", "--destination", destinationId, "--cadence", "daily"]);

        AssertExit(ExitCodes.Refused, result);
        Assert.Equal($"error: Amplitude project {projectId} has no cohort 'coh404'", Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Sync_start_wait_prints_the_id_then_the_succeeded_run()
    {
        var projectId = await _cli.EnabledProjectAsync("sync-start-wait");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "coh1", "u-1", "u-2", "u-3");

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh1", "--destination", destinationId, "--cadence", "once", "--wait"]);

        AssertExit(ExitCodes.Ok, result);
        var lines = result.Stdout.Split('\n');
        Assert.Matches(SyncIdLine(), lines[0] + "\n");
        Assert.Contains("outcome   succeeded", result.Stdout);
        Assert.Contains("rows 3, desired 3, planned +3 -0, added 3, removed 0", result.Stdout);
        Assert.Equal("", result.Stderr);
        // The run really wrote the list.
        var status = Json(await RunAsync(["sync", "status", projectId, lines[0], "--json"]));
        Assert.Equal(["u-1", "u-2", "u-3"], World.ListMembers(status.GetProperty("listId").GetInt64()).Order());
    }

    [Fact]
    public async Task Waited_run_that_failed_is_exit_4_with_the_run_as_json()
    {
        var projectId = await _cli.EnabledProjectAsync("fail-wait");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "coh1", "u-1");
        World.Sandbox.Amplitude.SetFaults(OperatorSession.AmplitudeKeys(projectId).Key, new AmplitudeFaults(FailingJobs: 1));

        var result = await RunAsync(["sync", "start", projectId, "--cohort", "coh1", "--destination", destinationId, "--cadence", "daily", "--wait", "--json"]);

        AssertExit(ExitCodes.RunFailed, result);
        var waited = Json(result);
        var run = waited.GetProperty("run");
        var syncId = waited.GetProperty("sync").GetProperty("syncId").GetString();
        Assert.Equal(1, run.GetProperty("runNumber").GetInt64());
        Assert.Equal("failedRetryable", run.GetProperty("outcome").GetString());
        Assert.Equal("failed", waited.GetProperty("sync").GetProperty("state").GetString());
        Assert.Equal($"error: run #1 of sync {syncId} ended failedRetryable: Amplitude's cohort job failed (JOB FAILED); the next run asks again",
            Assert.Single(result.StderrLines));
    }

    [Fact]
    public async Task Sync_run_wait_reports_the_run_it_triggered_not_the_previous_one()
    {
        var projectId = await _cli.EnabledProjectAsync("sync-run-wait");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "u-1", "u-2");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "hourly", wait: true);
        _cli.SetCohort(projectId, "c", "u-1", "u-2", "u-3");

        var result = await RunAsync(["sync", "run", projectId, syncId, "--wait", "--json"]);

        AssertExit(ExitCodes.Ok, result);
        var run = Json(result).GetProperty("run");
        Assert.Equal(2, run.GetProperty("runNumber").GetInt64());
        Assert.Equal(1, run.GetProperty("counts").GetProperty("added").GetInt64());
        var history = await RunAsync(["sync", "history", projectId, syncId, "--limit", "1", "--json"]);
        Assert.Equal(2, Assert.Single(Json(history).EnumerateArray()).GetProperty("runNumber").GetInt64());
        var rows = (await RunAsync(["sync", "history", projectId, syncId])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        Assert.Equal(["#2", "manual"], rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2]);
        Assert.Equal(["#1", "first"], rows[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2]);
        Assert.All(rows[1..], row => Assert.Contains(" succeeded ", row));
    }

    [Fact]
    public async Task Sync_preview_prints_the_difference_with_samples()
    {
        var projectId = await _cli.EnabledProjectAsync("preview");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c9", "gone-1", "kept-1");
        var syncId = await _cli.StartSyncAsync(projectId, "c9", destinationId, "hourly", wait: true);
        _cli.SetCohort(projectId, "c9", "kept-1", "new-1", "new-2");

        var text = await RunAsync(["sync", "preview", projectId, syncId]);
        var json = await RunAsync(["sync", "preview", projectId, syncId, "--json"]);

        AssertExit(ExitCodes.Ok, text);
        Assert.Contains("would add     2: new-1, new-2", text.Stdout);
        Assert.Contains("would remove  1: gone-1", text.Stdout);
        AssertExit(ExitCodes.Ok, json);
        var preview = Json(json);
        Assert.Equal(2, preview.GetProperty("adds").GetInt64());
        Assert.Equal(["new-1", "new-2"], preview.GetProperty("sampleAdds").EnumerateArray().Select(e => e.GetString()).Order());
        // A preview sends nothing: the list still holds what the first run wrote.
        Assert.Equal(["gone-1", "kept-1"], World.ListMembers(preview.GetProperty("listId").GetInt64()).Order());
    }

    [Fact]
    public async Task Sync_wait_gives_up_after_the_timeout_with_exit_5_and_stop_ends_the_run()
    {
        // Amplitude's export job never completes: the run stays active as long as the test needs.
        var projectId = await _cli.EnabledProjectAsync("endless", new AmplitudeProjectSettings { InProgressPolls = int.MaxValue });
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "u-1");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "hourly");

        var result = await RunAsync(["sync", "wait", projectId, syncId, "--timeout", "1s"]);
        var stopped = await RunAsync(["sync", "stop", projectId, syncId, "--json"]);

        AssertExit(ExitCodes.WaitTimedOut, result);
        // The timeout says what it last saw: the run, its phase and since when.
        Assert.Matches(@"^error: no run finished within 1 s \(run 1 is readingCohort since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\); it goes on", Assert.Single(result.StderrLines));
        AssertExit(ExitCodes.Ok, stopped);
        Assert.Equal("stopped", Json(stopped).GetProperty("state").GetString());
        var history = Json(await RunAsync(["sync", "history", projectId, syncId, "--json"])).EnumerateArray().ToList();
        Assert.Equal(2, history.Count);
        // Newest first: the stop itself (the list kept), then the run it cancelled.
        Assert.Equal(("stop", "keep"), (history[0].GetProperty("trigger").GetString(), history[0].GetProperty("stop").GetString()));
        Assert.Equal("cancelled", history[1].GetProperty("outcome").GetString());
        Assert.Equal("stopped by the operator", history[1].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Sync_refused_lists_reasons_a_page_at_a_time_and_run_retry_refused_sends_them_again()
    {
        var projectId = await _cli.EnabledProjectAsync("refused");
        var destinationId = await _cli.DestinationAsync(projectId);
        // Identifiers of this test alone: the sandbox project (and its marks) is shared by the class's tests.
        World.Iterable.MarkUsers(World.IterableKey, Sandbox.Iterable.IterableUserMark.Conflict, ["rf-2", "rf-3"]);
        _cli.SetCohort(projectId, "c", "rf-1", "rf-2", "rf-3");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "daily");
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "wait", projectId, syncId]));

        var text = await RunAsync(["sync", "refused", projectId, syncId, "--limit", "1"]);
        var json = Json(await RunAsync(["sync", "refused", projectId, syncId, "--after", "rf-2", "--json"]));
        World.Iterable.UnmarkUsers(World.IterableKey, ["rf-2", "rf-3"]);
        var retried = await RunAsync(["sync", "run", projectId, syncId, "--retry-refused", "--wait", "--json"]);

        AssertExit(ExitCodes.Ok, text);
        Assert.Contains("rf-2", text.Stdout);
        Assert.Contains("conflict", text.Stdout);
        Assert.DoesNotContain("rf-3", text.Stdout);
        Assert.Contains("2 refused in all", text.Stdout);
        Assert.Contains("more: --after rf-2", text.Stdout);
        Assert.Equal(2, json.GetProperty("total").GetInt64());
        Assert.Equal("rf-3", Assert.Single(json.GetProperty("members").EnumerateArray()).GetProperty("member").GetString());
        AssertExit(ExitCodes.Ok, retried);
        var run = Json(retried).GetProperty("run");
        Assert.True(run.GetProperty("retryRefused").GetBoolean());
        Assert.Equal(2, run.GetProperty("counts").GetProperty("added").GetInt64());
    }

    [Fact]
    public async Task Sync_stop_list_empty_wait_prints_the_stop_run_and_a_bad_list_value_is_exit_2()
    {
        var projectId = await _cli.EnabledProjectAsync("stop-empty");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "u-1", "u-2");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "daily");
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "wait", projectId, syncId]));

        var bad = await RunAsync(["sync", "stop", projectId, syncId, "--list", "drop"]);
        var emptied = await RunAsync(["sync", "stop", projectId, syncId, "--list", "empty", "--wait", "--json"]);

        AssertExit(ExitCodes.Usage, bad);
        Assert.Contains("--list must be keep, empty or delete, not 'drop'", bad.Stderr);
        AssertExit(ExitCodes.Ok, emptied);
        var run = Json(emptied).GetProperty("run");
        Assert.Equal(("stop", "empty", "succeeded", 2L), (run.GetProperty("trigger").GetString(), run.GetProperty("stop").GetString(),
            run.GetProperty("outcome").GetString(), run.GetProperty("counts").GetProperty("removed").GetInt64()));
        var status = Json(await RunAsync(["sync", "status", projectId, syncId, "--json"]));
        Assert.Empty(World.ListMembers(status.GetProperty("listId").GetInt64()));
    }

    [Fact]
    public async Task Waiting_on_a_sync_paused_mid_run_is_exit_4_with_the_cancelled_run_and_resume_runs_it_again()
    {
        var projectId = await _cli.EnabledProjectAsync("paused", new AmplitudeProjectSettings { InProgressPolls = int.MaxValue });
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "u-1");
        var syncId = await _cli.StartSyncAsync(projectId, "c", destinationId, "daily");

        var paused = await RunAsync(["sync", "pause", projectId, syncId]);
        var waited = await RunAsync(["sync", "wait", projectId, syncId]);
        var resumed = await RunAsync(["sync", "resume", projectId, syncId, "--json"]);

        AssertExit(ExitCodes.Ok, paused);
        Assert.Contains("state        paused: paused by the operator", paused.Stdout);
        AssertExit(ExitCodes.RunFailed, waited);
        Assert.Equal($"error: run #1 of sync {syncId} ended cancelled: paused by the operator", Assert.Single(waited.StderrLines));
        AssertExit(ExitCodes.Ok, resumed);
        var resumedSync = Json(resumed);
        Assert.Equal("running", resumedSync.GetProperty("state").GetString());
        Assert.Equal(2, resumedSync.GetProperty("activeRun").GetProperty("runNumber").GetInt64());
        Assert.Equal("resume", resumedSync.GetProperty("activeRun").GetProperty("trigger").GetString());
        AssertExit(ExitCodes.Ok, await RunAsync(["sync", "stop", projectId, syncId]));
    }

    [Fact]
    public async Task Status_and_list_show_the_sync()
    {
        var projectId = await _cli.EnabledProjectAsync("sync-show");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "coh7", "u-1", "u-2", "u-3");
        var syncId = await _cli.StartSyncAsync(projectId, "coh7", destinationId, "daily", wait: true);

        var status = await RunAsync(["sync", "status", projectId, syncId]);
        var list = await RunAsync(["sync", "list", projectId]);

        Assert.Contains($"cohort       coh7 ({OperatorSession.CohortName(projectId, "coh7")})", status.Stdout);
        Assert.Contains("synced       3 members", status.Stdout);
        Assert.Contains("last run     #1 succeeded", status.Stdout);
        Assert.StartsWith(syncId, list.Stdout.Split('\n')[1]);
        Assert.Contains("#1 succeeded +3 -0", list.Stdout.Split('\n')[1]);
    }
}
