using CohortSync.Contracts;
using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// A run that would remove more than the sync's guard allows is held before it sends anything, even before it looks
/// up the list; an approval lets exactly the held number of removals through.
/// </summary>
public sealed class RemovalGuardRunTests : IAsyncLifetime
{
    private const string Subscribe = "/api/lists/subscribe";
    private const string Unsubscribe = "/api/lists/unsubscribe";

    private RunnerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await RunnerWorld.StartAsync();
        // 25 % of a 20-member list is above the guard; the minimum of 2 keeps the test small.
        _world.Guard = RemovalGuard.Parse("20,2");
        _world.Cohort.Members = Members.Range(0, 20);
        await _world.RunAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_emptied_cohort_is_held_with_nothing_sent_and_the_list_kept()
    {
        var mark = _world.Mark();
        _world.Cohort.Members = [];
        var tally = new RunTally();

        var result = await _world.RunAsync(tally);

        Assert.True(result.Held);
        Assert.Equal("held: this run would remove every member (all 20); nothing was sent. Approve or reject it: cohortsync sync approve|reject", result.Note);
        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
        Assert.Equal((0L, 20L, 0L, 0), (tally.Snapshot().PlannedAdds, tally.Snapshot().PlannedRemoves, tally.Snapshot().Removed, tally.Snapshot().Requests));
        Assert.Equal(Members.Range(0, 20), _world.ListMembers(_world.ListId!.Value));
        Assert.Equal(Members.Range(0, 20), _world.Snapshots.Current(RunnerWorld.SyncKey));
        Assert.Equal(20, result.SyncedCount);
    }

    [Fact]
    public async Task Removals_above_the_share_and_the_minimum_are_held_with_the_adds_too()
    {
        var mark = _world.Mark();
        _world.Cohort.Members = Members.Range(5, 30);

        var result = await _world.RunAsync();

        Assert.True(result.Held);
        Assert.StartsWith("held: this run would remove 5 of 20 members (25%), beyond the guard (more than 20% and 2 members); nothing was sent", result.Note);
        Assert.True(result.Note!.Length <= 200, result.Note);
        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
    }

    [Fact]
    public async Task Removals_within_the_guard_go_out_as_usual()
    {
        var mark = _world.Mark();
        _world.Cohort.Members = Members.Range(4, 20);

        var result = await _world.RunAsync();

        Assert.False(result.Held);
        Assert.Equal(Members.Range(0, 4), await _world.SentSinceAsync(mark, Unsubscribe));
    }

    [Fact]
    public async Task An_approved_run_sends_exactly_the_held_difference()
    {
        _world.Cohort.Members = Members.Range(5, 25);
        Assert.True((await _world.RunAsync()).Held);
        var mark = _world.Mark();

        _world.ApprovedRemovals = 5;
        var result = await _world.RunAsync();

        Assert.False(result.Held);
        Assert.Equal(Members.Range(0, 5), await _world.SentSinceAsync(mark, Unsubscribe));
        Assert.Equal(Members.Range(20, 25), await _world.SentSinceAsync(mark, Subscribe));
        Assert.Equal(Members.Range(5, 25), _world.ListMembers(_world.ListId!.Value));
    }

    [Fact]
    public async Task An_approval_does_not_cover_more_removals_than_were_held()
    {
        _world.Cohort.Members = Members.Range(5, 20);
        Assert.True((await _world.RunAsync()).Held);
        var mark = _world.Mark();

        // The cohort shrank further after the operator looked: the approval was for 5.
        _world.ApprovedRemovals = 5;
        _world.Cohort.Members = Members.Range(8, 20);
        var result = await _world.RunAsync();

        Assert.True(result.Held);
        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
    }

    [Fact]
    public async Task Preview_says_whether_the_next_run_would_be_held()
    {
        _world.Cohort.Members = Members.Range(10, 20);
        var held = await _world.PreviewAsync();
        _world.Cohort.Members = Members.Range(2, 20);
        var sent = await _world.PreviewAsync();

        Assert.Equal((true, 10L), (held.WouldBeHeld, held.Removes));
        Assert.Equal((false, 2L), (sent.WouldBeHeld, sent.Removes));
    }
}
