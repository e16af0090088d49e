using System.Text.Json;
using CohortSync.Client.Output;
using CohortSync.Contracts;

namespace CohortSync.Client.Tests;

/// <summary>The --json documents are an interface: these pin their field names and value spellings (docs/cli.md lists the same).</summary>
public sealed class JsonRenderingTests
{
    private static JsonElement Render<T>(T value) => JsonDocument.Parse(JsonFormat.Serialize(value)).RootElement;

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public void Project_fields_are_camel_case()
    {
        var json = Render(Samples.Project());

        Assert.Equal(["projectId", "enabled", "amplitudeUrl", "amplitudeKeyHint", "destinations", "syncs", "enabledAt", "downloads", "webhookTokenSet"], Names(json));
        Assert.True(json.GetProperty("enabled").GetBoolean());
        Assert.Equal("2025-03-01T08:00:00+00:00", json.GetProperty("enabledAt").GetString());
        var downloads = json.GetProperty("downloads");
        Assert.Equal(["month", "used", "projected", "quota", "warning", "exhaustedUntil", "organisation", "projectPlannedPerMonth"], Names(downloads));
        Assert.Equal("2025-03", downloads.GetProperty("month").GetString());
        Assert.Equal(500, downloads.GetProperty("quota").GetInt32());
    }

    [Fact]
    public void Disabled_project_has_a_null_enabled_at()
    {
        Assert.Equal(JsonValueKind.Null, Render(Samples.Project(enabled: false)).GetProperty("enabledAt").ValueKind);
    }

    [Fact]
    public void Destination_fields_and_health_as_a_string()
    {
        var json = Render(Samples.Destination() with { Health = DestinationHealth.Unhealthy, HealthReason = "key rejected (401)" });

        Assert.Equal(["projectId", "destinationId", "name", "iterableUrl", "keyHint", "userProperty", "health", "healthReason", "createdAt",
            "requestsPerSecond", "maxRequestsPerSecond", "concurrency"], Names(json));
        Assert.Equal("unhealthy", json.GetProperty("health").GetString());
        Assert.Equal("…k3y9", json.GetProperty("keyHint").GetString());
    }

    [Fact]
    public void Sync_fields_with_nested_runs()
    {
        var json = Render(Samples.Sync(last: Samples.Run(3), active: Samples.Run(4, RunOutcome.Running), state: SyncState.Running));

        Assert.Equal(
            ["projectId", "syncId", "cohortId", "cohortName", "destinationId", "cadence", "state", "stateReason", "listId", "listName",
             "syncedCount", "nextRunAt", "lastRun", "activeRun", "createdAt", "warning", "guard", "reconcile",
             "driftAudit", "lastDriftAuditAt", "lastDriftAudit", "reconcilePending", "adopt", "nextRuns", "cohortRenamed"],
            Names(json));
        Assert.Equal("running", json.GetProperty("state").GetString());
        Assert.Equal(1234, json.GetProperty("listId").GetInt64());
        Assert.Equal(4, json.GetProperty("activeRun").GetProperty("runNumber").GetInt64());
        Assert.Equal("pushing", json.GetProperty("activeRun").GetProperty("phase").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("activeRun").GetProperty("finishedAt").ValueKind);
    }

    [Fact]
    public void A_held_sync_and_its_held_run_say_held()
    {
        var json = Render(Samples.Sync(last: Samples.Run(3, RunOutcome.Held), state: SyncState.Held) with { Guard = "20%" });

        Assert.Equal(("held", "held", "20%"),
            (json.GetProperty("state").GetString(), json.GetProperty("lastRun").GetProperty("outcome").GetString(), json.GetProperty("guard").GetString()));
    }

    [Fact]
    public void Preview_fields()
    {
        var json = Render(new SyncPreview("acme", "s1", "coh1", "Power users", 1234, "[Amplitude] Power users", 1000, 1012, 1010, 2, 0, 0, 15, 5,
            ["u-1"], ["u-9"]));

        Assert.Equal(
            ["projectId", "syncId", "cohortId", "cohortName", "listId", "listName", "synced", "cohortRows", "desired", "skipped", "invalid",
             "heldBack", "adds", "removes", "sampleAdds", "sampleRemoves", "wouldBeHeld", "guard",
             "extra", "missing", "listed"],
            Names(json));
        Assert.Equal("u-9", Assert.Single(json.GetProperty("sampleRemoves").EnumerateArray()).GetString());
    }

    [Fact]
    public void Run_record_and_its_counts()
    {
        var json = Render(Samples.Run(7, RunOutcome.FailedRetryable, "Iterable answered 503"));

        Assert.Equal(["runNumber", "trigger", "startedAt", "finishedAt", "outcome", "reason", "phase", "counts", "source", "retryRefused", "stop", "leftList"], Names(json));
        Assert.Equal("failedRetryable", json.GetProperty("outcome").GetString());
        Assert.Equal("download", json.GetProperty("source").GetString());
        Assert.Equal("finished", json.GetProperty("phase").GetString());
        var counts = json.GetProperty("counts");
        Assert.Equal(
            ["cohortRows", "skipped", "invalid", "malformed", "desired", "plannedAdds", "plannedRemoves", "added", "removed",
             "rejected", "rejectedSample", "requests", "retries", "heldBack", "heldRemovals", "extra", "missing",
             "amplitudeWaitMs", "readMs", "diffMs", "pushMs", "recordMs", "rejectedTotal"],
            Names(counts));
        // Rejection reasons are Iterable's words, kept as they are.
        Assert.Equal(2, counts.GetProperty("rejected").GetProperty("invalidData").GetInt64());
        Assert.Equal(2, counts.GetProperty("rejectedTotal").GetInt64());
    }

    [Theory]
    [InlineData(SyncState.Scheduled, "scheduled")]
    [InlineData(SyncState.Paused, "paused")]
    [InlineData(SyncState.Failed, "failed")]
    [InlineData(SyncState.Done, "done")]
    [InlineData(SyncState.Stopped, "stopped")]
    public void Sync_states_are_camel_case_strings(SyncState state, string expected)
    {
        Assert.Equal(expected, Render(Samples.Sync(state: state)).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData(RunOutcome.Running, "running")]
    [InlineData(RunOutcome.Succeeded, "succeeded")]
    [InlineData(RunOutcome.Failed, "failed")]
    [InlineData(RunOutcome.Cancelled, "cancelled")]
    public void Run_outcomes_are_camel_case_strings(RunOutcome outcome, string expected)
    {
        Assert.Equal(expected, Render(Samples.Run(outcome: outcome)).GetProperty("outcome").GetString());
    }

    [Fact]
    public void Lists_render_as_arrays()
    {
        var json = Render<IReadOnlyList<DestinationInfo>>([Samples.Destination(), Samples.Destination() with { DestinationId = "d2" }]);

        Assert.Equal(JsonValueKind.Array, json.ValueKind);
        Assert.Equal("d2", json[1].GetProperty("destinationId").GetString());
    }

    [Fact]
    public void Waited_run_holds_the_sync_and_the_run()
    {
        var run = Samples.Run(3);
        var json = Render(new WaitedRun(Samples.Sync(last: run), run));

        Assert.Equal(["sync", "run"], Names(json));
        Assert.Equal(3, json.GetProperty("run").GetProperty("runNumber").GetInt64());
    }

    [Fact]
    public void Removed_destination_document()
    {
        var json = Render(new RemovedDestination("acme", "d1", Removed: true));

        Assert.Equal(["projectId", "destinationId", "removed"], Names(json));
    }

    [Fact]
    public void Error_document_carries_code_and_message()
    {
        var json = JsonDocument.Parse(JsonFormat.Error(ErrorCodes.UnknownProject, "project 'acme' is not enabled")).RootElement;

        Assert.Equal(["error"], Names(json));
        Assert.Equal("unknown_project", json.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("project 'acme' is not enabled", json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void Documents_are_indented()
    {
        Assert.Contains("\n  \"projectId\"", JsonFormat.Serialize(Samples.Project()));
    }
}
