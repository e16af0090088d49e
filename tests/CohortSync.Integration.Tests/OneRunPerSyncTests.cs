using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// A sync has one run at a time, shown by what it records (run numbers, history) and by what Iterable was sent:
/// asking for a run while one is active answers with that run and starts nothing.
/// </summary>
public sealed class OneRunPerSyncTests
{
    private const int Members = 20_000;

    [Fact]
    public async Task Run_now_during_a_run_answers_with_that_run_and_starts_no_second_one()
    {
        await using var w = await World.StartAsync();
        var cohort = World.Users(0, Members);
        w.SetCohort("coh-1", "Busy", cohort);
        var destination = await w.EnableWithDestinationAsync();
        // Slow enough that the first run is still pushing when run-now arrives (20 batches, 4 at a time, half a second each).
        w.Iterable.Faults = new IterableFaults { LatencyMs = 500 };
        var syncId = await w.StartSyncIdAsync("coh-1", destination);
        await Wait.UntilAsync(async () => (await w.Sync(syncId).GetStatusAsync()).ActiveRun?.Counts.Added > 0, "the first run to be pushing");

        var answer = await w.Sync(syncId).RunNowAsync();

        // Today's answer: no error, the sync as it is, with the run already in progress as its active run.
        Assert.Equal((SyncState.Running, 1L, "first"), (answer.State, answer.ActiveRun?.RunNumber, answer.ActiveRun?.Trigger));
        w.Iterable.Faults = IterableFaults.None;
        var done = await w.WaitForStateAsync(syncId, SyncState.Done);
        var run = Assert.Single(await w.HistoryAsync(syncId));
        Assert.Equal((1L, "first", RunOutcome.Succeeded, (long)Members), (run.RunNumber, run.Trigger, run.Outcome, run.Counts.Added));
        Assert.Equal(Members, done.SyncedCount);
        AssertSubscribedOnceEach(w, 0, cohort);
    }

    [Fact]
    public async Task Two_run_now_calls_at_once_on_an_idle_sync_both_answer_with_the_one_run_they_started()
    {
        await using var w = await World.StartAsync();
        var first = World.Users(0, 10);
        w.SetCohort("coh-1", "Idle", first);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination);
        await w.WaitForStateAsync(syncId, SyncState.Done);
        var cohort = World.Users(0, Members);
        w.SetCohort("coh-1", "Idle", cohort);
        // The run the calls start is still pushing when the second call is answered, so that call cannot be a run of its own.
        w.Iterable.Faults = new IterableFaults { LatencyMs = 500 };
        var mark = w.LastRequestSequence;

        var answers = await Task.WhenAll(w.Sync(syncId).RunNowAsync(), w.Sync(syncId).RunNowAsync());

        Assert.All(answers, answer => Assert.Equal((2L, "manual"), (answer.ActiveRun?.RunNumber, answer.ActiveRun?.Trigger)));
        w.Iterable.Faults = IterableFaults.None;
        var done = await w.WaitForStateAsync(syncId, SyncState.Done);
        var history = await w.HistoryAsync(syncId);
        Assert.Equal([(2L, "manual", RunOutcome.Succeeded, (long)(Members - first.Count)), (1L, "first", RunOutcome.Succeeded, (long)first.Count)],
            history.Select(r => (r.RunNumber, r.Trigger, r.Outcome, r.Counts.Added)));
        Assert.Equal(Members, done.SyncedCount);
        AssertSubscribedOnceEach(w, mark, cohort.Skip(first.Count));
    }

    /// <summary>Every successful subscribe after <paramref name="mark"/> together names exactly <paramref name="expected"/>, each once.</summary>
    private static void AssertSubscribedOnceEach(World w, long mark, IEnumerable<string> expected)
    {
        var subscribed = w.IterableWritesSince(mark)
            .Where(e => e.Path == "/api/lists/subscribe" && e.Status == 200)
            .SelectMany(e => e.UserIds!)
            .Order(StringComparer.Ordinal);
        Assert.Equal(expected.Order(StringComparer.Ordinal), subscribed);
    }
}
