using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>Cadence and silo restarts, on each storage backend.</summary>
public abstract class DurabilityTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Recurring_sync_runs_again_by_itself_on_its_cadence()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Every few seconds", World.Users(0, 50));
        var destination = await s.EnableWithDestinationAsync();

        var sync = await s.StartSyncAsync("coh-1", destination, cadence: "2s");
        await s.WaitForRunAsync(sync.SyncId, 1);
        s.SetCohort("coh-1", "Every few seconds", World.Users(0, 60));
        await Wait.ForAsync(async () =>
        {
            var status = await s.Sync(sync.SyncId).GetStatusAsync();
            return status.ActiveRun is null && status.SyncedCount == 60 ? status : null;
        }, "a cadence run to deliver the change", TimeSpan.FromSeconds(60));

        // Nothing but the cadence starts runs here: every run after the first is its doing, and one of them sent the 10 new members.
        var history = await s.Sync(sync.SyncId).GetHistoryAsync(100);
        Assert.Equal("first", history.Single(r => r.RunNumber == 1).Trigger);
        var later = history.Where(r => r.RunNumber > 1).ToList();
        Assert.NotEmpty(later);
        Assert.All(later, r => Assert.Equal(("cadence", RunOutcome.Succeeded), (r.Trigger, r.Outcome)));
        Assert.Equal(10, later.Sum(r => r.Counts.Added));
    }

    [Fact]
    public async Task Silo_restart_keeps_destinations_and_syncs_and_the_next_run_diffs_against_the_persisted_set()
    {
        await using var s = await World.StartAsync(storage);
        var cohort = World.Users(0, 1000);
        s.SetCohort("coh-1", "Survivors", cohort);
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination, cadence: "3s");
        await s.WaitForRunAsync(sync.SyncId, 1);

        await s.RestartSiloAsync();
        var mark = s.LastRequestSequence;
        var entrants = World.Users(7000, 3);
        s.SetCohort("coh-1", "Survivors", cohort.Concat(entrants));

        var destinations = await s.Project.ListDestinationsAsync();
        Assert.Equal(destination, Assert.Single(destinations).DestinationId);
        var before = await s.Sync(sync.SyncId).GetStatusAsync();
        Assert.Equal(1000, before.SyncedCount);
        var afterRestart = await Wait.ForAsync(async () =>
        {
            var st = await s.Sync(sync.SyncId).GetStatusAsync();
            return st.ActiveRun is null && st.SyncedCount == 1003 ? st.LastRun : null;
        }, "a cadence run after the restart to deliver the change", TimeSpan.FromSeconds(60));

        Assert.Equal(("cadence", RunOutcome.Succeeded), (afterRestart.Trigger, afterRestart.Outcome));
        var writes = s.IterableWritesSince(mark);
        var subscribe = Assert.Single(writes);
        Assert.Equal("/api/lists/subscribe", subscribe.Path);
        Assert.Equal(entrants, subscribe.UserIds!.Order(StringComparer.Ordinal));
        var listId = (await s.Sync(sync.SyncId).GetStatusAsync()).ListId!.Value;
        Assert.Equal(1003, s.ListMembers(listId).Count);
    }
}

[Collection(nameof(SiloCollection))]
public sealed class DurabilityTestsOnSqlite() : DurabilityTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class DurabilityTestsOnPostgres(PostgresFixture postgres) : DurabilityTests(StorageUnderTest.Postgres(postgres));
