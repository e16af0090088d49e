using CohortSync.Grains.Runs;
using CohortSync.Sandbox.Iterable;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// A member Iterable refused is left out of runs for the cooldown (7 days by default), measured from the refusal on the
/// run's own clock, then sent again; refused again, its cooldown starts over; gone from the cohort, it is forgotten.
/// </summary>
public sealed class RefusedCooldownTests : IAsyncLifetime
{
    private const string Subscribe = "/api/lists/subscribe";
    private static readonly DateTimeOffset Day0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] Cohort = Members.Range(0, 6);
    private static readonly string Refused = Cohort[2];

    private RunnerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await RunnerWorld.StartAsync();
        _world.Sandbox.Iterable.MarkUsers(_world.OwnerKey, IterableUserMark.Conflict, [Refused]);
        _world.Cohort.Members = Cohort;
        _world.Now = Day0;
        await _world.RunAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_refused_member_is_held_back_until_its_cooldown_has_passed_then_sent_again()
    {
        _world.Sandbox.Iterable.UnmarkUsers(_world.OwnerKey, [Refused]);
        _world.Now = Day0 + TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);
        var mark = _world.Mark();
        var early = new RunTally();
        await _world.RunAsync(early);

        Assert.Equal(1, early.Snapshot().HeldBack);
        Assert.Empty(await _world.IterableCallsSinceAsync(mark));

        _world.Now = Day0 + TimeSpan.FromDays(7);
        var due = new RunTally();
        await _world.RunAsync(due);

        Assert.Equal((0L, 1L), (due.Snapshot().HeldBack, due.Snapshot().Added));
        Assert.Equal([Refused], await _world.SentSinceAsync(mark, Subscribe));
        Assert.Empty(await _world.Refused.LoadAsync(RunnerWorld.SyncKey, CancellationToken.None));
        Assert.Equal(Cohort, _world.Snapshots.Current(RunnerWorld.SyncKey));
    }

    [Fact]
    public async Task Refused_again_after_its_cooldown_it_waits_a_new_cooldown()
    {
        _world.Now = Day0 + TimeSpan.FromDays(8);
        var mark = _world.Mark();
        await _world.RunAsync();

        Assert.Equal([Refused], await _world.SentSinceAsync(mark, Subscribe));
        var row = Assert.Single(await _world.Refused.LoadAsync(RunnerWorld.SyncKey, CancellationToken.None));
        Assert.Equal((Refused, "conflict", Day0 + TimeSpan.FromDays(8)), (row.Member, row.Reason, row.RefusedAt));

        _world.Now = Day0 + TimeSpan.FromDays(14);
        mark = _world.Mark();
        await _world.RunAsync();
        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
    }

    [Fact]
    public async Task Retry_refused_sends_it_at_once_whatever_its_cooldown()
    {
        _world.Now = Day0 + TimeSpan.FromHours(1);
        _world.RetryRefused = true;
        var mark = _world.Mark();
        await _world.RunAsync();

        Assert.Equal([Refused], await _world.SentSinceAsync(mark, Subscribe));
    }

    [Fact]
    public async Task A_refused_member_that_left_the_cohort_is_forgotten_and_no_removal_is_sent_for_it()
    {
        _world.Cohort.Members = [.. Cohort.Where(member => member != Refused)];
        var mark = _world.Mark();
        await _world.RunAsync();

        Assert.Empty(await _world.IterableCallsSinceAsync(mark));
        Assert.Empty(await _world.Refused.LoadAsync(RunnerWorld.SyncKey, CancellationToken.None));
    }
}
