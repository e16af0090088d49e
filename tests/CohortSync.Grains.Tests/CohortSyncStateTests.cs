using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using CohortSync.Grains.Runs;
using CohortSync.Grains.Syncs;

namespace CohortSync.Grains.Tests;

/// <summary>A sync's state transitions, without a cluster: what each run outcome leaves behind.</summary>
public sealed class CohortSyncStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly RunResult Result = new("Power users", 42, "[Amplitude] Power users", 1000, null);

    private static CohortSyncState Sync(string cadence)
    {
        var state = new CohortSyncState();
        state.Configure(new SyncConfig("p1", "s1", "c1", null, "d1", Cadence.Parse(cadence)), Now);
        return state;
    }

    private static RunCounts Counts(int added = 0) => new() { Added = added };

    [Theory]
    [InlineData("hourly", false)]
    [InlineData("daily", false)]
    [InlineData("realtime", false)]
    [InlineData("10080m", true)]
    [InlineData("cron:0 6 * * 1-5", true)]
    public void The_drift_audit_has_a_reminder_of_its_own_only_when_the_syncs_ticks_are_further_apart_than_a_day(string cadence, bool own)
    {
        Assert.Equal(own, Sync(cadence).DriftAuditHasOwnReminder(TimeSpan.FromDays(1)));
    }

    [Fact]
    public void The_drift_audit_is_due_a_period_after_the_start_then_a_period_after_the_last_audit()
    {
        var state = Sync("hourly");
        Assert.False(state.DriftAuditDue(TimeSpan.FromDays(1), Now.AddHours(23)));
        Assert.True(state.DriftAuditDue(TimeSpan.FromDays(1), Now.AddDays(1)));

        state.DriftAudited(1000, beyondTolerance: false, Now.AddDays(1).AddMinutes(5));

        Assert.False(state.DriftAuditDue(TimeSpan.FromDays(1), Now.AddDays(2)));
        Assert.True(state.DriftAuditDue(TimeSpan.FromDays(1), Now.AddDays(2).AddMinutes(5)));
    }

    [Fact]
    public void Run_cut_short_is_recorded_as_interrupted_when_the_next_one_begins()
    {
        var state = Sync("hourly");
        var first = state.BeginRun("first", Now, historyLimit: 50);

        var second = state.BeginRun("resume", Now.AddMinutes(2), historyLimit: 50);

        Assert.Equal((1, 2), (first.RunNumber, second.RunNumber));
        var interrupted = Assert.Single(state.History);
        Assert.Equal((1L, RunOutcome.FailedRetryable), (interrupted.RunNumber, interrupted.Outcome));
        Assert.StartsWith("interrupted", interrupted.Reason);
        Assert.Equal(Now.AddMinutes(2), interrupted.FinishedAt);
        Assert.Equal((SyncState.Running, second), (state.State, state.ActiveRun));
    }

    [Theory]
    [InlineData("hourly", RunOutcome.Succeeded, SyncState.Scheduled, false)]
    [InlineData("once", RunOutcome.Succeeded, SyncState.Done, false)]
    [InlineData("hourly", RunOutcome.Cancelled, SyncState.Scheduled, false)]
    [InlineData("hourly", RunOutcome.FailedRetryable, SyncState.Failed, true)]
    [InlineData("once", RunOutcome.Failed, SyncState.Failed, true)]
    public void Outcome_decides_the_next_state(string cadence, RunOutcome outcome, SyncState next, bool reasonShown)
    {
        var state = Sync(cadence);
        var run = state.BeginRun("first", Now, 50);

        state.FinishRun(run, new RunEnd(outcome, "Iterable is unavailable", outcome == RunOutcome.Failed ? FailureKind.Permanent : outcome == RunOutcome.FailedRetryable ? FailureKind.Retryable : null, outcome == RunOutcome.Succeeded ? Result : null), RunPhase.Pushing, Counts(), Now.AddSeconds(5), 50);

        Assert.Equal(next, state.State);
        Assert.Equal(reasonShown ? "Iterable is unavailable" : null, state.StateReason);
        Assert.Null(state.ActiveRun);
        Assert.Equal((outcome, Now.AddSeconds(5)), (state.LastRun!.Outcome, state.LastRun.FinishedAt));
        Assert.Equal(cadence == "hourly" ? state.NextCadenceSlot(Now.AddSeconds(5)) : null, state.NextRunAt);
    }

    [Fact]
    public void Cadence_is_kept_as_parsed_and_schedules_by_its_period()
    {
        var state = Sync(" 15M ");
        var run = state.BeginRun("first", Now, 50);

        state.FinishRun(run, new RunEnd(RunOutcome.Succeeded, null, null, Result), RunPhase.Recording, Counts(), Now, 50);

        Assert.Equal(("15m", TimeSpan.FromMinutes(15)), (state.ToInfo(null, null).Cadence, state.CadencePeriod));
        Assert.Equal(CadenceSpread.NextSlotAfter(state.Key, TimeSpan.FromMinutes(15), Now), state.NextRunAt);
    }

    [Fact]
    public void Success_keeps_the_list_and_the_synced_count_and_marks_the_run_finished()
    {
        var state = Sync("daily");
        var run = state.BeginRun("first", Now, 50);

        state.FinishRun(run, new RunEnd(RunOutcome.Succeeded, null, null, Result), RunPhase.Recording, Counts(added: 1000), Now, 50);

        Assert.Equal(("Power users", 42L, 1000L), (state.CohortName, state.ListId, state.SyncedCount));
        Assert.Equal((RunPhase.Finished, 1000L), (state.LastRun!.Phase, state.LastRun.Counts.Added));
    }

    [Fact]
    public void A_run_that_failed_while_recording_is_not_marked_finished()
    {
        var state = Sync("daily");
        var run = state.BeginRun("first", Now, 50);

        state.FinishRun(run, new RunEnd(RunOutcome.FailedRetryable, "the database is unreachable", FailureKind.Transient, null), RunPhase.Recording, Counts(added: 1000), Now, 50);

        Assert.Equal((RunOutcome.FailedRetryable, RunPhase.Recording), (state.LastRun!.Outcome, state.LastRun.Phase));
    }

    [Fact]
    public void Rejected_key_pauses_for_the_destination_whatever_the_cadence()
    {
        var state = Sync("hourly");
        var run = state.BeginRun("cadence", Now, 50);

        state.FinishRun(run, new RunEnd(RunOutcome.Failed, "Iterable rejected the key", FailureKind.KeyRejected, null), RunPhase.PreparingList, Counts(), Now, 50);

        Assert.Equal((SyncState.Paused, "Iterable rejected the key", true), (state.State, state.StateReason, state.PausedByDestination));
        Assert.Null(state.NextRunAt);
    }

    [Fact]
    public void A_sync_paused_or_stopped_during_its_run_stays_so_when_the_run_ends()
    {
        var paused = Sync("hourly");
        var run = paused.BeginRun("cadence", Now, 50);
        paused.Pause("paused by the operator");
        paused.FinishRun(run, new RunEnd(RunOutcome.Cancelled, "paused by the operator", null, null), RunPhase.Pushing, Counts(), Now, 50);

        var stopped = Sync("hourly");
        run = stopped.BeginRun("cadence", Now, 50);
        stopped.Stop("stopped by the operator");
        stopped.FinishRun(run, new RunEnd(RunOutcome.Cancelled, "stopped by the operator", null, null), RunPhase.Pushing, Counts(), Now, 50);

        Assert.Equal((SyncState.Paused, null), (paused.State, paused.NextRunAt));
        Assert.Equal((SyncState.Stopped, null), (stopped.State, stopped.NextRunAt));
    }

    [Fact]
    public void Resume_clears_a_pause_for_the_destination()
    {
        var state = Sync("hourly");
        state.PauseForDestination("key rejected");

        state.Resume();

        Assert.Equal((SyncState.Scheduled, null, false), (state.State, state.StateReason, state.PausedByDestination));
    }

    [Fact]
    public void History_keeps_the_newest_runs_up_to_the_limit()
    {
        var state = Sync("hourly");
        for (var i = 0; i < 5; i++)
        {
            var run = state.BeginRun("cadence", Now.AddHours(i), historyLimit: 3);
            state.FinishRun(run, new RunEnd(RunOutcome.Succeeded, null, null, Result), RunPhase.Recording, Counts(), Now.AddHours(i), historyLimit: 3);
        }

        Assert.Equal([3L, 4L, 5L], state.History.Select(r => r.RunNumber));
    }

    [Fact]
    public void Quota_warning_is_for_live_syncs_whose_cadence_alone_passes_the_quota()
    {
        Assert.Contains("about 720", Sync("hourly").QuotaWarning(500, Now));
        Assert.Null(Sync("daily").QuotaWarning(500, Now));
        var stopped = Sync("hourly");
        stopped.Stop("stopped by the operator");
        Assert.Null(stopped.QuotaWarning(500, Now));
    }

    [Theory]
    [InlineData("hourly", FailureKind.Transient, true)]
    [InlineData("daily", FailureKind.Transient, true)]
    [InlineData("hourly", FailureKind.Retryable, false)]
    [InlineData("once", FailureKind.Retryable, true)]
    [InlineData("once", FailureKind.Permanent, false)]
    public void A_cluster_fault_is_resumed_by_the_guard_whatever_the_cadence(string cadence, FailureKind kind, bool byGuard)
    {
        var state = Sync(cadence);
        var run = state.BeginRun("first", Now, 50);
        var outcome = kind == FailureKind.Permanent ? RunOutcome.Failed : RunOutcome.FailedRetryable;

        state.FinishRun(run, new RunEnd(outcome, "a silo of the cluster stopped answering", kind, null), RunPhase.Pushing, Counts(), Now, 50);

        Assert.Equal(byGuard, state.ResumeByGuard);
        state.BeginRun("resume", Now.AddMinutes(2), 50);
        state.FinishRun(state.ActiveRun!, new RunEnd(RunOutcome.Succeeded, null, null, Result), RunPhase.Recording, Counts(), Now.AddMinutes(3), 50);
        Assert.False(state.ResumeByGuard);
    }
}
