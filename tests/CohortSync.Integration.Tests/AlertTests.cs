using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Alerts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// Alerts on a real silo, posted to a Slack-style receiver (a sandbox of its own): one per state change that needs a
/// person (held, failed, paused by the engine), one when the sync is back to normal, retried while the receiver fails,
/// and never in the way of a run.
/// </summary>
public sealed class AlertTests
{
    private static async Task<(World World, SandboxServer Hooks)> StartAsync()
    {
        var hooks = await SandboxServer.StartAsync();
        var world = await World.StartAsync(StorageUnderTest.Sqlite,
            $"--CohortSync:Alerts:WebhookUrl={new Uri(hooks.BaseUrl, "hooks/T000/B000/alert-secret-0001")}",
            "--CohortSync:Alerts:RetryDelay=00:00:00.100");
        return (world, hooks);
    }

    private static async Task<IReadOnlyList<ReceivedAlert>> WaitForAlertsAsync(SandboxServer hooks, int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (hooks.Alerts.Received.Count < count) await Task.Delay(50, deadline.Token);
        return hooks.Alerts.Received;
    }

    [Fact]
    public async Task A_held_run_alerts_once_however_often_it_is_held_again_and_its_approval_alerts_the_recovery_through_receiver_errors()
    {
        var (w, hooks) = await StartAsync();
        await using var _ = w;
        await using var __ = hooks;
        w.SetCohort("coh-1", "Buyers", World.Users(0, 3000));
        var destination = await w.EnableWithDestinationAsync();
        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, Cadence.Daily));
        await w.WaitForRunAsync(sync.SyncId, 1);
        w.SetCohort("coh-1", "Buyers", []);
        // The receiver fails the first two posts: the alert is retried and arrives once.
        hooks.Alerts.FailNext(2);

        var held = await w.RunAndWaitAsync(sync.SyncId);
        var alerts = await WaitForAlertsAsync(hooks, 1);
        var heldAgain = await w.RunAndWaitAsync(sync.SyncId);

        Assert.Equal((RunOutcome.Held, RunOutcome.Held), (held.Outcome, heldAgain.Outcome));
        var alert = Assert.Single(alerts);
        Assert.Equal((2, "T000/B000/alert-secret-0001", "runHeld"), (hooks.Alerts.Refused, alert.Path, alert.Kind));
        Assert.StartsWith($"CohortSync: sync {sync.SyncId} of project {World.ProjectId} (cohort Buyers → [Amplitude] Buyers) has a held run: held: this run would remove every member",
            alert.Text);
        Assert.Equal(sync.SyncId, alert.Body.GetProperty("syncId").GetString());
        Assert.Equal("held", alert.Body.GetProperty("state").GetString());

        await w.Sync(sync.SyncId).ApproveAsync();
        var approved = await w.WaitForRunAsync(sync.SyncId, heldAgain.RunNumber + 1);
        var after = await WaitForAlertsAsync(hooks, 2);

        Assert.Equal(RunOutcome.Succeeded, approved.Outcome);
        // One queue, in order: an alert for the second held run would have come before the recovery.
        Assert.Equal(["runHeld", "recovered"], after.Select(a => a.Kind));
        Assert.Contains($"is running normally again: run #{approved.RunNumber} succeeded", after[1].Text);
    }

    [Fact]
    public async Task A_rejected_key_alerts_once_that_the_sync_is_paused_through_five_receiver_errors()
    {
        var (w, hooks) = await StartAsync();
        await using var _ = w;
        await using var __ = hooks;
        w.SetCohort("coh-1", "Buyers", World.Users(0, 10));
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "daily");
        await w.WaitForRunAsync(syncId, 1);
        // Five failures: the sixth and last attempt gets through.
        hooks.Alerts.FailNext(5);
        w.Iterable.RevokeApiKey(World.IterableKey);
        w.SetCohort("coh-1", "Buyers", World.Users(0, 11));

        var failed = await w.RunAndWaitAsync(syncId);
        var paused = await w.WaitForStateAsync(syncId, SyncState.Paused);

        Assert.Equal(RunOutcome.Failed, failed.Outcome);
        Assert.Contains("API key", paused.StateReason);
        var alert = Assert.Single(await WaitForAlertsAsync(hooks, 1));
        Assert.Equal((5, "syncPaused", "paused"), (hooks.Alerts.Refused, alert.Kind, alert.Body.GetProperty("state").GetString()));
        Assert.Contains($"is paused: {paused.StateReason}", alert.Text);
    }
}
