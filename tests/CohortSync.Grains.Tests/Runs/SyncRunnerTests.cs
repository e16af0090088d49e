using CohortSync.Contracts;
using CohortSync.Core.Runs;
using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>What a run does when everything answers: the list prepared, the difference pushed in batches, the synced set kept.</summary>
public sealed class SyncRunnerTests : IAsyncLifetime
{
    private const string Subscribe = "/api/lists/subscribe";
    private const string Unsubscribe = "/api/lists/unsubscribe";

    private RunnerWorld _world = null!;

    public async Task InitializeAsync() => _world = await RunnerWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task First_run_creates_the_list_reports_it_before_pushing_and_subscribes_the_whole_cohort()
    {
        _world.Cohort.Members = Members.Range(0, 7);
        var permitsHeldDuringRead = -1;
        _world.Cohort.OnRead = () => permitsHeldDuringRead = _world.Permits.Held;
        var tally = new RunTally();

        var result = await _world.RunAsync(tally);

        var ready = Assert.Single(_world.ListsReady);
        Assert.Equal((result.ListId, ListNaming.ForCohort(RunnerWorld.CohortName), 0), (ready.ListId, ready.ListName, ready.SentBefore));
        var calls = await _world.IterableCallsSinceAsync(0);
        Assert.Equal([(Subscribe, 3), (Subscribe, 3), (Subscribe, 1)], calls.Select(call => (call.Path, call.SubscriberCount ?? 0)));
        Assert.All(calls, call => Assert.Equal((ready.ListId, 200), (call.ListId!.Value, call.Status)));
        Assert.Equal(Members.Range(0, 7), _world.ListMembers(ready.ListId));
        Assert.Equal(Members.Range(0, 7), _world.Snapshots.Current(RunnerWorld.SyncKey));
        Assert.Empty(_world.Snapshots.Journal(RunnerWorld.SyncKey));
        Assert.Equal((1, 1, 1, 0), (_world.Lists.Ensured, _world.Permits.Entered, permitsHeldDuringRead, _world.Permits.Held));
        Assert.Equal((RunnerWorld.CohortName, ready.ListName, 7L, null), (result.CohortName, result.ListName, result.SyncedCount, result.Note));
        var counts = tally.Snapshot();
        Assert.Equal(RunPhase.Recording, tally.Phase);
        Assert.Equal((7L, 7L, 0L, 0L), (counts.CohortRows, counts.Desired, counts.Skipped, counts.Malformed));
        Assert.Equal((7L, 0L, 7L, 0L, 3), (counts.PlannedAdds, counts.PlannedRemoves, counts.Added, counts.Removed, counts.Requests));
    }

    [Fact]
    public async Task Unchanged_cohort_sends_no_request_to_Iterable()
    {
        _world.Cohort.Members = Members.Range(0, 7);
        await _world.RunAsync();
        var mark = _world.Mark();
        var tally = new RunTally();

        var result = await _world.RunAsync(tally);

        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
        Assert.Single(_world.ListsReady);
        Assert.Equal((_world.ListId, 7L), (result.ListId, result.SyncedCount));
        var counts = tally.Snapshot();
        Assert.Equal((7L, 0L, 0L, 0L, 0L, 0), (counts.Desired, counts.PlannedAdds, counts.PlannedRemoves, counts.Added, counts.Removed, counts.Requests));
        Assert.Equal(Members.Range(0, 7), _world.ListMembers(result.ListId!.Value));
    }

    [Fact]
    public async Task Changed_cohort_sends_only_the_adds_and_the_removes()
    {
        _world.Cohort.Members = Members.Range(0, 7);
        await _world.RunAsync();
        _world.Cohort.Members = Members.Range(2, 11);
        var mark = _world.Mark();
        var tally = new RunTally();

        var result = await _world.RunAsync(tally);

        var calls = await _world.IterableCallsSinceAsync(mark);
        Assert.Equal([Unsubscribe, Subscribe, Subscribe], calls.Select(call => call.Path));
        Assert.Equal(Members.Range(0, 2), await _world.SentSinceAsync(mark, Unsubscribe));
        Assert.Equal(Members.Range(7, 11), await _world.SentSinceAsync(mark, Subscribe));
        Assert.Equal(Members.Range(2, 11), _world.ListMembers(result.ListId!.Value));
        Assert.Equal(Members.Range(2, 11), _world.Snapshots.Current(RunnerWorld.SyncKey));
        var counts = tally.Snapshot();
        Assert.Equal((4L, 2L, 4L, 2L, 9L), (counts.PlannedAdds, counts.PlannedRemoves, counts.Added, counts.Removed, result.SyncedCount));
    }

    [Fact]
    public async Task List_deleted_in_Iterable_is_recreated_and_refilled_with_the_whole_cohort()
    {
        _world.Cohort.Members = Members.Range(0, 7);
        var first = await _world.RunAsync();
        Assert.True(_world.Sandbox.Iterable.DeleteList(_world.OwnerKey, first.ListId!.Value));
        var mark = _world.Mark();
        var sentBefore = _world.Sent;
        var tally = new RunTally();

        var result = await _world.RunAsync(tally);

        Assert.NotEqual(first.ListId, result.ListId);
        Assert.Equal((result.ListId!.Value, sentBefore), (_world.ListsReady[^1].ListId, _world.ListsReady[^1].SentBefore));
        Assert.Equal(Members.Range(0, 7), await _world.SentSinceAsync(mark, Subscribe));
        Assert.Equal(Members.Range(0, 7), _world.ListMembers(result.ListId.Value));
        Assert.Equal(Members.Range(0, 7), _world.Snapshots.Current(RunnerWorld.SyncKey));
        Assert.Equal(1, _world.Snapshots.Clears);
        Assert.NotNull(result.Note);
        Assert.Contains($"{first.ListId} no longer exists", result.Note);
        Assert.Equal(result.Note, tally.Note);
        Assert.Equal((7L, 7L), (tally.Snapshot().PlannedAdds, tally.Snapshot().Added));
    }

    [Fact]
    public async Task Preview_sends_nothing_to_Iterable_and_writes_nothing_to_the_snapshot_store()
    {
        _world.Cohort.Members = Members.Range(0, 7);
        var first = await _world.RunAsync();
        _world.Cohort.Members = Members.Range(2, 11);
        var writes = _world.Snapshots.Writes;
        var mark = _world.Mark();

        var preview = await _world.PreviewAsync();

        Assert.Equal((RunnerWorld.CohortName, 7L, 9L, 4L, 2L), (preview.CohortName, preview.Synced, preview.Read.Desired, preview.Adds, preview.Removes));
        Assert.Equal(Members.Range(7, 11), preview.SampleAdds);
        Assert.Equal(Members.Range(0, 2), preview.SampleRemoves);
        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
        Assert.Equal(writes, _world.Snapshots.Writes);
        Assert.Equal(1, _world.Lists.Ensured);
        Assert.Equal(Members.Range(0, 7), _world.ListMembers(first.ListId!.Value));
        Assert.Equal(Members.Range(0, 7), _world.Snapshots.Current(RunnerWorld.SyncKey));
    }
}
