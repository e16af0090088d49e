using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// The removal guard on a real silo: a cohort that comes back empty is held with nothing sent, and stays held (no
/// cadence tick downloads it again) until an operator approves, which sends exactly the held removals, or rejects,
/// which keeps the list and pauses the sync.
/// </summary>
public sealed class RemovalGuardTests
{
    private const string Unsubscribe = "/api/lists/unsubscribe";

    private static async Task<(World World, string SyncId, long ListId, IReadOnlyList<string> Cohort)> SyncedAsync(RemovalGuard? guard = null)
    {
        var w = await World.StartAsync(StorageUnderTest.Sqlite);
        var cohort = World.Users(0, 3000);
        w.SetCohort("coh-1", "Buyers", cohort);
        var destination = await w.EnableWithDestinationAsync();
        // Hourly: no cadence tick comes during the test, so every run here is one the test asked for.
        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, Cadence.Hourly) { Guard = guard });
        await w.WaitForRunAsync(sync.SyncId, 1);
        var status = await w.Sync(sync.SyncId).GetStatusAsync();
        return (w, sync.SyncId, status.ListId!.Value, cohort);
    }

    [Fact]
    public async Task An_emptied_cohort_is_held_with_nothing_sent_until_approved_then_exactly_the_held_removals_go()
    {
        var (w, syncId, listId, cohort) = await SyncedAsync();
        await using var _ = w;
        w.SetCohort("coh-1", "Buyers", []);
        var mark = w.LastRequestSequence;

        var held = await w.RunAndWaitAsync(syncId);

        Assert.Equal(RunOutcome.Held, held.Outcome);
        Assert.Equal("held: this run would remove every member (all 3,000); nothing was sent. Approve or reject it: cohortsync sync approve|reject", held.Reason);
        Assert.Equal((3000L, 0L, 0), (held.Counts.PlannedRemoves, held.Counts.Removed, held.Counts.Requests));
        Assert.Empty(w.IterableWritesSince(mark));
        Assert.Equal(cohort.Order(StringComparer.Ordinal), w.ListMembers(listId).Order(StringComparer.Ordinal));
        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.Equal((SyncState.Held, held.Reason, (DateTimeOffset?)null, 3000L), (status.State, status.StateReason, status.NextRunAt, status.SyncedCount));

        var preview = await w.Sync(syncId).PreviewAsync();
        Assert.Equal((true, "20%", 3000L), (preview.WouldBeHeld, preview.Guard, preview.Removes));

        var approved = await w.Sync(syncId).ApproveAsync();
        var sent = await w.WaitForRunAsync(syncId, held.RunNumber + 1);

        Assert.Equal((SyncState.Running, "approved"), (approved.State, approved.ActiveRun!.Trigger));
        Assert.Equal((RunOutcome.Succeeded, "approved", 3000L), (sent.Outcome, sent.Trigger, sent.Counts.Removed));
        var writes = w.IterableWritesSince(mark);
        Assert.Equal(3, writes.Count);
        Assert.All(writes, write => Assert.Equal(Unsubscribe, write.Path));
        Assert.Empty(w.ListMembers(listId));
        Assert.Equal((SyncState.Scheduled, 0L), ((await w.Sync(syncId).GetStatusAsync()).State, (await w.Sync(syncId).GetStatusAsync()).SyncedCount));
    }

    [Fact]
    public async Task Reject_keeps_the_list_pauses_the_sync_and_a_resumed_sync_is_held_again_while_the_cohort_is_still_empty()
    {
        var (w, syncId, listId, cohort) = await SyncedAsync();
        await using var _ = w;
        w.SetCohort("coh-1", "Buyers", []);
        var mark = w.LastRequestSequence;
        var held = await w.RunAndWaitAsync(syncId);

        var rejected = await w.Sync(syncId).RejectAsync();
        var again = await w.Sync(syncId).RejectAsync();

        Assert.Equal(SyncState.Paused, rejected.State);
        Assert.StartsWith($"held run #{held.RunNumber} rejected by the operator; the list was kept as it is", rejected.StateReason);
        Assert.Equal(rejected.StateReason, again.StateReason);
        var refused = await Assert.ThrowsAsync<CohortSyncException>(() => w.Sync(syncId).ApproveAsync());
        Assert.Equal(ErrorCodes.InvalidState, refused.Code);

        await w.Sync(syncId).ResumeAsync();
        var heldAgain = await w.WaitForRunAsync(syncId, held.RunNumber + 1);

        Assert.Equal((RunOutcome.Held, "resume"), (heldAgain.Outcome, heldAgain.Trigger));
        Assert.Empty(w.IterableWritesSince(mark));
        Assert.Equal(cohort.Count, w.ListMembers(listId).Count);
    }

    [Fact]
    public async Task A_sync_started_with_the_guard_off_empties_its_list_as_asked()
    {
        var (w, syncId, listId, _) = await SyncedAsync(RemovalGuard.None);
        await using var __ = w;
        w.SetCohort("coh-1", "Buyers", []);

        var run = await w.RunAndWaitAsync(syncId);

        Assert.Equal((RunOutcome.Succeeded, 3000L), (run.Outcome, run.Counts.Removed));
        Assert.Empty(w.ListMembers(listId));
        Assert.Equal("off", (await w.Sync(syncId).GetStatusAsync()).Guard);
    }

    [Fact]
    public async Task A_held_sync_ignores_its_cadence_so_no_download_is_spent_on_a_run_that_would_be_held_again()
    {
        await using var w = await World.StartAsync(StorageUnderTest.Sqlite);
        w.SetCohort("coh-1", "Buyers", World.Users(0, 50));
        w.SetCohort("coh-2", "Clock", World.Users(0, 5));
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, "2s");
        await w.WaitForRunAsync(syncId, 1);
        w.SetCohort("coh-1", "Buyers", []);
        var held = await w.WaitForStateAsync(syncId, SyncState.Held);

        // A second sync on the same cadence is the clock: three of its cadence runs are three ticks the held one had.
        var clock = await w.StartSyncIdAsync("coh-2", destination, "2s");
        await w.WaitForRunAsync(clock, 4);

        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.Equal((SyncState.Held, held.LastRun!.RunNumber), (status.State, status.LastRun!.RunNumber));
        Assert.Null(status.ActiveRun);
    }
}
