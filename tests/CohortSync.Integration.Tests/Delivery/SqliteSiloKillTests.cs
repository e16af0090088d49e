using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>
/// The embedded default killed outright: a SQLite silo process gets SIGKILL mid-push (no graceful stop, no
/// checkpoint on the way out), and the silo started again on the same data folder finishes the run from its journal.
/// </summary>
public sealed class SqliteSiloKillTests
{
    private const int Members = 30_000;
    // The engine's defaults: 1000 members a request, up to 4 requests in flight.
    private const int BatchSize = 1000;
    private const int RequestsInFlight = 4;

    [Fact]
    public async Task Sqlite_silo_killed_mid_push_is_resumed_by_its_guard_and_resends_no_more_than_the_batches_in_flight()
    {
        await using var w = await World.StartAsync(new WorldOptions { Hosting = SiloHosting.Processes, Storage = StorageUnderTest.Sqlite });
        var cohort = World.Users(0, Members);
        w.SetCohort("coh-1", "Killed", cohort);
        var destination = await w.EnableWithDestinationAsync();
        // Slow enough that the run is still pushing when it is killed (30 batches, 4 at a time, half a second each).
        w.Iterable.Faults = new IterableFaults { LatencyMs = 500 };

        // A one-time sync: no cadence run exists that could finish the job in the resumed run's place.
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "once");
        var pushing = await Wait.ForAsync(async () =>
            (await w.StatusAsync(syncId)).ActiveRun is { Counts.Added: > RequestsInFlight * BatchSize } run ? run : null,
            "more members acknowledged than fit in the requests in flight");
        Assert.InRange(pushing.Counts.Added, RequestsInFlight * BatchSize + 1, Members - 1);

        await w.RestartSiloAsync();
        w.Iterable.Faults = IterableFaults.None;
        var done = await Wait.ForAsync(async () => await w.StatusAsync(syncId) is { State: SyncState.Done, ActiveRun: null } status ? status : null,
            "the resumed run to finish the sync", TimeSpan.FromSeconds(120));

        var runs = (await Retry.CallAsync(() => w.Sync(syncId).GetHistoryAsync(100))).OrderBy(r => r.RunNumber).ToList();
        Assert.Equal([(1L, "first", RunOutcome.FailedRetryable), (2L, "resume", RunOutcome.Succeeded)],
            runs.Select(r => (r.RunNumber, r.Trigger, r.Outcome)));
        var interrupted = runs[0];
        Assert.Contains("interrupted", interrupted.Reason);
        Assert.DoesNotContain('\n', interrupted.Reason!);
        // The resumed run sent only what the journal did not hold: at most what was not yet acknowledged when polled.
        Assert.InRange(runs[1].Counts.Added, 1, Members - pushing.Counts.Added);

        Assert.Equal(Members, done.SyncedCount);
        Assert.Equal(cohort, w.ListMembers(done.ListId!.Value).Order(StringComparer.Ordinal));
        Assert.Single(w.Iterable.GetLists(World.IterableKey));
        // Iterable saw each member once, except those of the batches in flight at the kill: answered, never journalled.
        var subscribed = w.IterableWritesSince(0).Where(e => e.Path == "/api/lists/subscribe" && e.Status == 200).SelectMany(e => e.UserIds!).ToList();
        Assert.Equal(cohort, subscribed.Distinct().Order(StringComparer.Ordinal));
        var sentTwice = subscribed.GroupBy(id => id).Count(g => g.Count() > 1);
        Assert.InRange(sentTwice, 0, RequestsInFlight * BatchSize);
        Assert.InRange(subscribed.Count, Members, Members + RequestsInFlight * BatchSize);
    }
}
