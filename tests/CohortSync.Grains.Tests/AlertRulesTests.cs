using CohortSync.Contracts;
using CohortSync.Grains.Alerts;
using CohortSync.Grains.Runs;
using CohortSync.Grains.Syncs;

namespace CohortSync.Grains.Tests;

public sealed class AlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertOptions Options = new();

    private static CohortSyncState Sync()
    {
        var sync = new CohortSyncState();
        sync.Configure(new SyncConfig("p1", "s1", "c1", "Buyers", "d1", Cadence.Daily), Now);
        return sync;
    }

    private static RunRecord Run(CohortSyncState sync, RunOutcome outcome, long removed = 0, string? reason = null, FailureKind? kind = null)
    {
        var run = sync.BeginRun("cadence", Now, 100);
        var result = outcome == RunOutcome.Succeeded ? new RunResult("Buyers", 1, "[Amplitude] Buyers", 10, null) : null;
        sync.FinishRun(run, new RunEnd(outcome, reason, kind, result), RunPhase.Recording, new RunCounts { Removed = removed }, Now, 100);
        return sync.LastRun!;
    }

    [Fact]
    public void A_failure_alerts_once_however_many_runs_fail_and_the_first_success_after_it_alerts_the_recovery()
    {
        var sync = Sync();
        var kinds = new List<AlertKind>();
        kinds.AddRange(AlertRules.AfterRun(sync, Run(sync, RunOutcome.Succeeded), Options, Now).Select(a => a.Kind));
        kinds.AddRange(AlertRules.AfterRun(sync, Run(sync, RunOutcome.Failed, reason: "cohort 'c1' does not exist"), Options, Now).Select(a => a.Kind));
        kinds.AddRange(AlertRules.AfterRun(sync, Run(sync, RunOutcome.Failed, reason: "cohort 'c1' does not exist"), Options, Now).Select(a => a.Kind));
        kinds.AddRange(AlertRules.AfterRun(sync, Run(sync, RunOutcome.Succeeded), Options, Now).Select(a => a.Kind));
        kinds.AddRange(AlertRules.AfterRun(sync, Run(sync, RunOutcome.Succeeded), Options, Now).Select(a => a.Kind));

        Assert.Equal([AlertKind.RunFailed, AlertKind.Recovered], kinds);
    }

    [Fact]
    public void A_cluster_fault_the_guard_retries_is_not_alerted()
    {
        var sync = Sync();

        var alerts = AlertRules.AfterRun(sync, Run(sync, RunOutcome.FailedRetryable, reason: "a silo stopped", kind: FailureKind.Transient), Options, Now);

        Assert.Equal(SyncState.Failed, sync.State);
        Assert.Empty(alerts);
    }

    [Fact]
    public void Removals_far_above_the_syncs_usual_ones_alert_a_spike_but_not_without_a_history()
    {
        var early = Sync();
        Assert.Empty(AlertRules.AfterRun(early, Run(early, RunOutcome.Succeeded, removed: 50_000), Options, Now));

        var sync = Sync();
        foreach (var removed in new long[] { 100, 300, 200, 250 }) Run(sync, RunOutcome.Succeeded, removed);
        var usual = AlertRules.AfterRun(sync, Run(sync, RunOutcome.Succeeded, removed: 1200), Options, Now);
        var spike = AlertRules.AfterRun(sync, Run(sync, RunOutcome.Succeeded, removed: 6000), Options, Now);

        Assert.Empty(usual);
        var alert = Assert.Single(spike);
        Assert.Equal(AlertKind.RemovalSpike, alert.Kind);
        Assert.EndsWith("run #6 removed 6,000 members, far above the usual 250 (median of its last 5 runs)", alert.Text);
    }

    [Fact]
    public void A_reconcile_that_found_drift_beyond_the_tolerance_alerts_it_and_one_within_does_not()
    {
        var sync = Sync();
        RunRecord Reconcile(long extra, long missing)
        {
            var run = sync.BeginRun("reconcile", Now, 100);
            var result = new RunResult("Buyers", 1, "[Amplitude] Buyers", 10_000, null);
            sync.FinishRun(run, new RunEnd(RunOutcome.Succeeded, null, null, result), RunPhase.Recording,
                new RunCounts { Desired = 10_000, Extra = extra, Missing = missing }, Now, 100);
            return sync.LastRun!;
        }
        var tolerance = (Members: 0L, Fraction: 0.001);

        var within = AlertRules.AfterRun(sync, Reconcile(4, 6), Options, Now, tolerance);
        var beyond = AlertRules.AfterRun(sync, Reconcile(2, 9), Options, Now, tolerance);

        Assert.Empty(within);
        var alert = Assert.Single(beyond);
        Assert.Equal(AlertKind.DriftFound, alert.Kind);
        Assert.EndsWith("run #2 found the Iterable list had drifted (2 members the sync did not put there, 9 synced members gone) and repaired it", alert.Text);
    }
}
