using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// A sync whose next run is far off leaves memory when its run ends (issue 9: an idle sync costs its reminders, not an
/// activation); everything a later run needs is in its stored state, and its reminder or any call brings it back.
/// </summary>
public sealed class IdleSyncRestTests
{
    [Fact]
    public async Task An_hourly_sync_leaves_memory_after_its_run_and_its_next_run_diffs_against_the_stored_set()
    {
        await using var w = await World.StartAsync();
        var destination = await w.EnableWithDestinationAsync();
        w.SetCohort("coh-rest", "Resting", World.Users(0, 50));
        var syncId = await w.StartSyncIdAsync("coh-rest", destination, "hourly");
        var management = w.Grains.GetGrain<IManagementGrain>(0);

        // Only the silo's statistics are asked: nothing here calls the sync, so nothing keeps it active but its own run.
        // Before, a run's loop kept the activation for an hour whatever the cadence.
        await Wait.UntilAsync(async () => !(await management.GetDetailedGrainStatistics()).Any(g => g.GrainId == w.Sync(syncId).GetGrainId()),
            "the hourly sync's activation to go once its first run is over", TimeSpan.FromSeconds(60));
        Assert.Equal(1, w.IterableWritesSince(0).Count(World.IsMembershipWrite));

        // Activated again from storage: the run is recorded and the next slot kept.
        var status = await w.StatusAsync(syncId);
        Assert.Equal((SyncState.Scheduled, RunOutcome.Succeeded, 50L), (status.State, status.LastRun?.Outcome, status.SyncedCount));
        Assert.NotNull(status.NextRunAt);

        w.SetCohort("coh-rest", "Resting", World.Users(10, 50));
        var mark = w.LastRequestSequence;
        var second = await w.RunAndWaitAsync(syncId);

        // The synced set came back with the state: only the change is sent.
        Assert.Equal((RunOutcome.Succeeded, 10L, 10L), (second.Outcome, second.Counts.Added, second.Counts.Removed));
        Assert.Equal(2, w.IterableWritesSince(mark).Count(World.IsMembershipWrite));
    }
}
