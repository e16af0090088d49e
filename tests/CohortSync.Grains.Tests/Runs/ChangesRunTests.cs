using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// A realtime sync's runs: an apply sends what the pushed changes after its cursor make of the synced set, with no
/// download; a reconciliation download covers every change stored before it began.
/// </summary>
public sealed class ChangesRunTests : IAsyncLifetime
{
    private const string Subscribe = "/api/lists/subscribe";
    private const string Unsubscribe = "/api/lists/unsubscribe";

    private RunnerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await RunnerWorld.StartAsync();
        _world.Changes = new FakeMemberChanges();
        _world.Cohort.Members = Members.Range(0, 10);
        var first = await _world.RunAsync();
        _world.ChangesAfter = first.ChangesCursor!.Value;
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_apply_subscribes_who_entered_and_unsubscribes_who_exited_without_a_download()
    {
        var reads = _world.Cohort.Reads;
        _world.Changes!.Enter("user-020", "user-021");
        _world.Changes.Exit("user-003", "user-099");
        var mark = _world.Mark();
        _world.ApplyChanges = true;
        var tally = new RunTally();

        var result = await _world.RunAsync(tally);

        Assert.Equal(reads, _world.Cohort.Reads);
        Assert.Equal(["user-020", "user-021"], await _world.SentSinceAsync(mark, Subscribe));
        // user-099 was never in the list: nothing to remove.
        Assert.Equal(["user-003"], await _world.SentSinceAsync(mark, Unsubscribe));
        Assert.Equal((4L, 11L, 2), (tally.Snapshot().CohortRows, tally.Snapshot().Desired, tally.Snapshot().Requests));
        Assert.Equal(4, result.ChangesCursor);
        Assert.Equal([.. Members.Range(0, 3), .. Members.Range(4, 10), "user-020", "user-021"], _world.ListMembers(_world.ListId!.Value));
    }

    [Fact]
    public async Task Changes_already_in_the_list_send_nothing_and_move_the_cursor()
    {
        _world.Changes!.Enter("user-001", "user-002");
        var mark = _world.Mark();
        _world.ApplyChanges = true;

        var result = await _world.RunAsync();

        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
        Assert.Equal((2L, 10L), (result.ChangesCursor!.Value, result.SyncedCount));
    }

    [Fact]
    public async Task An_apply_cut_short_and_applied_again_sends_only_what_the_list_still_misses()
    {
        _world.Changes!.Enter([.. Members.Range(100, 106)]);
        _world.ApplyChanges = true;
        // The second write fails for good: the first batch of three is acknowledged and journalled.
        await Assert.ThrowsAnyAsync<Exception>(() => _world.RunAsync(null, write => write == 2 ? throw new IOException("connection reset") : Task.CompletedTask, CancellationToken.None));
        var mark = _world.Mark();

        // The cursor did not move (the run failed): the same changes are read again.
        var result = await _world.RunAsync();

        Assert.Equal(Members.Range(103, 106), await _world.SentSinceAsync(mark, Subscribe));
        Assert.Equal(16, result.SyncedCount);
    }

    [Fact]
    public async Task A_download_covers_the_changes_stored_before_it_began()
    {
        _world.Changes!.Exit("user-000");
        _world.Cohort.Members = Members.Range(1, 10);

        var result = await _world.RunAsync();

        Assert.Equal(1, result.ChangesCursor);
        Assert.Equal(Members.Range(1, 10), _world.ListMembers(_world.ListId!.Value));
    }
}
