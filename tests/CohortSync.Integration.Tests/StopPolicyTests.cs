using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// <c>sync stop --list keep|empty|delete</c> on a real silo and the sandbox: each is recorded in the history, the
/// removal guard does not stand in the way of an operator's own request, and a stopped sync's list is not touched again.
/// </summary>
public sealed class StopPolicyTests
{
    private static async Task<(World World, string SyncId, long ListId)> SyncedAsync(int members = 2500)
    {
        var w = await World.StartAsync(StorageUnderTest.Sqlite);
        w.SetCohort("coh-1", "Buyers", World.Users(0, members));
        var destination = await w.EnableWithDestinationAsync();
        // Hourly: no cadence tick comes during the test.
        var sync = await w.Project.StartSyncAsync(new StartSyncRequest("coh-1", destination, Cadence.Hourly));
        await w.WaitForRunAsync(sync.SyncId, 1);
        return (w, sync.SyncId, (await w.StatusAsync(sync.SyncId)).ListId!.Value);
    }

    [Fact]
    public async Task Stop_keeps_the_list_by_default_records_it_and_refuses_to_touch_the_list_afterwards()
    {
        var (w, syncId, listId) = await SyncedAsync();
        await using var _ = w;
        var mark = w.LastRequestSequence;

        var stopped = await w.Sync(syncId).StopAsync(ListOnStop.Keep);
        var again = await w.Sync(syncId).StopAsync();

        Assert.Equal((SyncState.Stopped, (DateTimeOffset?)null), (stopped.State, stopped.NextRunAt));
        Assert.Equal((ListOnStop?)ListOnStop.Keep, stopped.LastRun!.Stop);
        Assert.Equal(("stop", RunOutcome.Succeeded, "stopped by the operator; the Iterable list was kept as it is"),
            (stopped.LastRun.Trigger, stopped.LastRun.Outcome, stopped.LastRun.Reason));
        Assert.Equal(stopped.LastRun.RunNumber, again.LastRun!.RunNumber);
        var refused = await Assert.ThrowsAsync<CohortSyncException>(() => w.Sync(syncId).StopAsync(ListOnStop.Empty));
        Assert.Equal(ErrorCodes.InvalidState, refused.Code);
        Assert.Contains("a stopped sync's list is not touched again", refused.Message);
        await Assert.ThrowsAsync<CohortSyncException>(() => w.Sync(syncId).RunNowAsync());
        Assert.Empty(w.IterableWritesSince(mark));
        Assert.Equal(2500, w.ListMembers(listId).Count);
    }

    [Fact]
    public async Task Stop_with_list_empty_unsubscribes_every_synced_member_past_the_guard_and_keeps_the_list()
    {
        var (w, syncId, listId) = await SyncedAsync();
        await using var _ = w;
        // A member someone else put in the list is not the sync's to remove.
        w.Iterable.AddListMembers(World.IterableKey, listId, ["foreign-1"]);
        var mark = w.LastRequestSequence;

        var stopping = await w.Sync(syncId).StopAsync(ListOnStop.Empty);
        var record = await w.WaitForRunAsync(syncId, 2);

        Assert.Equal(SyncState.Stopped, stopping.State);
        Assert.Equal(("stop", RunOutcome.Succeeded, (ListOnStop?)ListOnStop.Empty), (record.Trigger, record.Outcome, record.Stop));
        Assert.Equal((2500L, 2500L), (record.Counts.PlannedRemoves, record.Counts.Removed));
        var writes = w.IterableWritesSince(mark);
        Assert.Equal(3, writes.Count);
        Assert.All(writes, write => Assert.Equal("/api/lists/unsubscribe", write.Path));
        Assert.Equal(["foreign-1"], w.ListMembers(listId));
        var status = await w.StatusAsync(syncId);
        Assert.Equal((SyncState.Stopped, "stopped by the operator; the Iterable list was emptied", 0L, (long?)listId),
            (status.State, status.StateReason, status.SyncedCount, status.ListId));

        // Asked again (an answer lost): nothing more is sent.
        var again = await w.Sync(syncId).StopAsync(ListOnStop.Empty);
        Assert.Equal(record.RunNumber, again.LastRun!.RunNumber);
        Assert.Equal(3, w.IterableWritesSince(mark).Count);
    }

    [Fact]
    public async Task Stop_with_list_delete_deletes_the_list_and_forgets_the_synced_set()
    {
        var (w, syncId, listId) = await SyncedAsync(1200);
        await using var _ = w;

        await w.Sync(syncId).StopAsync(ListOnStop.Delete);
        var record = await w.WaitForRunAsync(syncId, 2);

        Assert.Equal((RunOutcome.Succeeded, (ListOnStop?)ListOnStop.Delete), (record.Outcome, record.Stop));
        Assert.DoesNotContain(w.Iterable.GetLists(World.IterableKey), list => list.Id == listId);
        var status = await w.StatusAsync(syncId);
        Assert.Equal((SyncState.Stopped, "stopped by the operator; the Iterable list was deleted", 0L, (long?)null),
            (status.State, status.StateReason, status.SyncedCount, status.ListId));
    }

    [Fact]
    public async Task An_emptying_cut_short_by_Iterable_errors_is_carried_out_by_the_guard_and_the_sync_stays_stopped()
    {
        var (w, syncId, listId) = await SyncedAsync();
        await using var _ = w;
        // More 500s than one run's retries ride out: the first stop run fails, the guard's next one finishes the job.
        w.Iterable.Faults = new IterableFaults { WritesOnly = true, ServerErrorBurst = 40 };
        var mark = w.LastRequestSequence;

        await w.Sync(syncId).StopAsync(ListOnStop.Empty);
        var failed = await w.WaitForRunAsync(syncId, 2);
        w.Iterable.Faults = IterableFaults.None;
        var done = await WaitForStopDoneAsync(w, syncId);

        Assert.Equal((RunOutcome.FailedRetryable, (ListOnStop?)ListOnStop.Empty), (failed.Outcome, failed.Stop));
        Assert.Equal((RunOutcome.Succeeded, "stop", (ListOnStop?)ListOnStop.Empty), (done.Outcome, done.Trigger, done.Stop));
        Assert.Empty(w.ListMembers(listId));
        Assert.All(w.IterableWritesSince(mark), write => Assert.Equal("/api/lists/unsubscribe", write.Path));
        Assert.Equal((SyncState.Stopped, 0L), ((await w.StatusAsync(syncId)).State, (await w.StatusAsync(syncId)).SyncedCount));
    }

    private static async Task<RunRecord> WaitForStopDoneAsync(World w, string syncId)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (true)
        {
            var last = (await w.StatusAsync(syncId)).LastRun;
            if (last is { Stop: not null, Outcome: RunOutcome.Succeeded }) return last;
            await Task.Delay(200, deadline.Token);
        }
    }
}
