using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary><c>sync preview</c>: what the next run would send, read from Amplitude and the synced set, with nothing sent.</summary>
public abstract class PreviewTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Preview_shows_the_difference_the_next_run_sends_and_sends_nothing_itself()
    {
        await using var s = await World.StartAsync(storage);
        var cohort = World.Users(0, 1000);
        s.SetCohort("coh-1", "Previewed", cohort);
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination, cadence: "hourly");
        await s.WaitForRunAsync(sync.SyncId, 1);
        var before = await s.Sync(sync.SyncId).GetStatusAsync();
        s.SetCohort("coh-1", "Previewed", cohort.Skip(5).Concat(World.Users(5000, 12)));
        var mark = s.LastRequestSequence;

        var preview = await s.Sync(sync.SyncId).PreviewAsync();

        Assert.Equal((12L, 5L), (preview.Adds, preview.Removes));
        Assert.Equal(World.Users(5000, 10), preview.SampleAdds);
        Assert.Equal(World.Users(0, 5), preview.SampleRemoves);
        Assert.Equal((1007L, 1007L, 1000L), (preview.CohortRows, preview.Desired, preview.Synced));
        Assert.Equal(("Previewed", before.ListId), (preview.CohortName, preview.ListId));
        // Not a write, not even a lookup of the lists; the sync is as it was.
        Assert.DoesNotContain(s.Sandbox.Requests.Since(mark), e => e.Path.StartsWith("/api/lists", StringComparison.Ordinal));
        var after = await s.Sync(sync.SyncId).GetStatusAsync();
        Assert.Equal((before.State, before.SyncedCount, before.LastRun!.RunNumber), (after.State, after.SyncedCount, after.LastRun!.RunNumber));

        var run = await s.RunAndWaitAsync(sync.SyncId);
        Assert.Equal((12, 5), (run.Counts.Added, run.Counts.Removed));
    }

    [Fact]
    public async Task Preview_is_refused_while_a_run_is_in_progress_and_for_an_unknown_sync()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Busy", World.Users(0, 10));
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination, cadence: "hourly");
        await s.WaitForRunAsync(sync.SyncId, 1);
        // A slow Iterable keeps the next run busy checking its list for two seconds at least.
        s.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 2000 };
        var running = await s.Sync(sync.SyncId).RunNowAsync();
        Assert.NotNull(running.ActiveRun);

        var busy = await Assert.ThrowsAsync<CohortSyncException>(() => s.Sync(sync.SyncId).PreviewAsync());
        var unknown = await Assert.ThrowsAsync<CohortSyncException>(() => s.Sync("s-nosuchsync").PreviewAsync());

        Assert.Equal(ErrorCodes.InvalidState, busy.Code);
        Assert.Contains($"run #{running.ActiveRun!.RunNumber} in progress", busy.Message);
        Assert.Equal(ErrorCodes.UnknownSync, unknown.Code);
    }
}

[Collection(nameof(SiloCollection))]
public sealed class PreviewTestsOnSqlite() : PreviewTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class PreviewTestsOnPostgres(PostgresFixture postgres) : PreviewTests(StorageUnderTest.Postgres(postgres));
