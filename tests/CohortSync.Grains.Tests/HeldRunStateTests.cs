using CohortSync.Contracts;
using CohortSync.Grains.Runs;
using CohortSync.Grains.Syncs;

namespace CohortSync.Grains.Tests;

/// <summary>A held run and what an operator does with it, without a cluster.</summary>
public sealed class HeldRunStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Reason = "held: this run would remove every member (all 3,000); nothing was sent";

    private static CohortSyncState HeldSync()
    {
        var state = new CohortSyncState();
        state.Configure(new SyncConfig("p1", "s1", "c1", "Power users", "d1", Cadence.Hourly), Now);
        var first = state.BeginRun("first", Now, 50);
        state.FinishRun(first, new RunEnd(RunOutcome.Succeeded, null, null, new RunResult("Power users", 42, "[Amplitude] Power users", 3000, null)),
            RunPhase.Recording, new RunCounts(), Now, 50);
        var second = state.BeginRun("cadence", Now.AddHours(1), 50);
        state.FinishRun(second, new RunEnd(RunOutcome.Held, Reason, null, new RunResult("Power users", 42, null, 3000, Reason, Held: true)),
            RunPhase.Diffing, new RunCounts { PlannedRemoves = 3000 }, Now.AddHours(1), 50);
        return state;
    }

    [Fact]
    public void A_held_run_holds_the_sync_with_no_next_run_and_nothing_for_the_guard()
    {
        var state = HeldSync();

        Assert.Equal((SyncState.Held, Reason), (state.State, state.StateReason));
        Assert.Equal((RunOutcome.Held, Reason), (state.LastRun!.Outcome, state.LastRun.Reason));
        Assert.Null(state.NextRunAt);
        Assert.False(state.ResumeByGuard);
        // The held run never reached the list: the sync still knows it by its name.
        Assert.Equal(("[Amplitude] Power users", 42L, 3000L), (state.ListName, state.ListId!.Value, state.SyncedCount));
    }

    [Fact]
    public void Approve_allows_the_held_number_of_removals_until_a_run_succeeds()
    {
        var state = HeldSync();

        state.Approve();
        Assert.Equal((SyncState.Scheduled, 3000L), (state.State, state.ApprovedRemovals!.Value));

        // Cut short by the cluster: the resumed run is still approved.
        var approved = state.BeginRun("approved", Now.AddHours(2), 50);
        state.FinishRun(approved, new RunEnd(RunOutcome.FailedRetryable, "a silo stopped", FailureKind.Transient, null), RunPhase.Pushing, new RunCounts(), Now.AddHours(2), 50);
        Assert.Equal(3000L, state.ApprovedRemovals);

        var resumed = state.BeginRun("resume", Now.AddHours(2), 50);
        state.FinishRun(resumed, new RunEnd(RunOutcome.Succeeded, null, null, new RunResult("Power users", 42, "[Amplitude] Power users", 0, null)),
            RunPhase.Recording, new RunCounts(), Now.AddHours(2), 50);
        Assert.Null(state.ApprovedRemovals);
        Assert.Equal(SyncState.Scheduled, state.State);
    }

    [Fact]
    public void Reject_keeps_the_list_and_pauses_and_a_repeat_finds_it_rejected()
    {
        var state = HeldSync();

        state.Reject();

        Assert.Equal(SyncState.Paused, state.State);
        Assert.StartsWith("held run #2 rejected by the operator; the list was kept as it is", state.StateReason);
        Assert.True(state.Rejected);
        Assert.Null(state.ApprovedRemovals);
        Assert.Equal(3000L, state.SyncedCount);
    }

    [Fact]
    public void Approve_or_reject_without_a_held_run_is_refused_in_a_sentence()
    {
        var state = HeldSync();
        state.Approve();

        var approve = Assert.Throws<CohortSyncException>(state.Approve);
        var reject = Assert.Throws<CohortSyncException>(state.Reject);

        Assert.Equal(ErrorCodes.InvalidState, approve.Code);
        Assert.Equal("sync s1 has no held run to approve (it is scheduled)", approve.Message);
        Assert.Equal("sync s1 has no held run to reject (it is scheduled)", reject.Message);
    }

    [Fact]
    public void The_guard_is_kept_as_configured_and_shown()
    {
        var state = new CohortSyncState();
        state.Configure(new SyncConfig("p1", "s1", "c1", null, "d1", Cadence.Daily) { Guard = RemovalGuard.Parse("5,100") }, Now);

        Assert.Equal("5%,100", state.ToInfo(null, null).Guard);
        Assert.Equal("20%", new CohortSyncState().ToInfo(null, null).Guard);
    }
}
