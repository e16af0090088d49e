using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Sandbox.RequestLogging;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// A silo holds a bounded number of large runs at once; the rest wait before they download, and small runs
/// pass by. Storage plays no part in it, so this runs on the embedded default only.
/// </summary>
[Collection(nameof(SiloCollection))]
public sealed class LargeRunSlotTests
{
    [Fact]
    public async Task Large_runs_past_the_silos_slots_wait_their_turn_and_small_runs_do_not()
    {
        // One slot; 100 members count as large; batches of 10 and a slow Iterable make each large run take 10 s or more.
        await using var s = await World.StartAsync(StorageUnderTest.Sqlite,
            "--CohortSync:Engine:MaxConcurrentLargeRuns=1", "--CohortSync:Engine:LargeRunMembers=100", "--CohortSync:Engine:BatchSize=10");
        s.SetCohort("big-1", "Big one", World.Users(0, 100));
        s.SetCohort("big-2", "Big two", World.Users(1000, 100));
        s.SetCohort("small", "Small", World.Users(5000, 5));
        var destination = await s.EnableWithDestinationAsync();
        s.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 1000 };

        var big = new[] { await s.StartSyncAsync("big-1", destination), await s.StartSyncAsync("big-2", destination) };
        var waiting = await Wait.ForAsync(async () =>
        {
            foreach (var sync in big)
            {
                var status = await s.Sync(sync.SyncId).GetStatusAsync();
                if (status.ActiveRun is { Phase: RunPhase.WaitingForSlot }) return status;
            }
            return null;
        }, "one of the two large runs to wait for the silo's only slot", TimeSpan.FromSeconds(60));
        var small = await s.StartSyncAsync("small", destination);
        var smallRun = await s.WaitForRunAsync(small.SyncId, 1, TimeSpan.FromMinutes(2));
        foreach (var sync in big) Assert.Equal(RunOutcome.Succeeded, (await s.WaitForRunAsync(sync.SyncId, 1, TimeSpan.FromMinutes(2))).Outcome);

        Assert.Equal(RunOutcome.Succeeded, smallRun.Outcome);
        var log = s.Sandbox.Requests.Since(0);
        var spans = new List<(string Cohort, DateTimeOffset From, DateTimeOffset To)>();
        foreach (var sync in big)
        {
            var status = await s.Sync(sync.SyncId).GetStatusAsync();
            Assert.Equal(100, s.ListMembers(status.ListId!.Value).Count);
            spans.Add((sync.CohortId, ExportRequest(log, sync.CohortId).Time, log.Last(e => World.IsIterableWrite(e) && e.ListId == status.ListId).Time));
        }
        // The large runs never overlapped: the one that waited asked Amplitude only after the other's last write.
        var (earlier, later) = spans[0].From <= spans[1].From ? (spans[0], spans[1]) : (spans[1], spans[0]);
        Assert.True(later.From >= earlier.To, $"{later.Cohort} asked Amplitude at {later.From:HH:mm:ss.fff}, before {earlier.Cohort} finished writing at {earlier.To:HH:mm:ss.fff}");
        Assert.Equal(waiting.CohortId, later.Cohort);
        // The small run did not queue behind them: it was done before the waiting run asked Amplitude.
        var smallList = (await s.Sync(small.SyncId).GetStatusAsync()).ListId;
        Assert.True(log.Last(e => World.IsIterableWrite(e) && e.ListId == smallList).Time < later.From, "the small run waited for the large ones");
    }

    private static RequestLogEntry ExportRequest(IEnumerable<RequestLogEntry> log, string cohortId) =>
        log.Single(e => e.Method == "GET" && e.Path == $"/api/5/cohorts/request/{cohortId}");
}
