using System.Globalization;
using CohortSync.Contracts;
using CohortSync.Grains.Syncs;

namespace CohortSync.Grains.Alerts;

/// <summary>What an alert is about; the JSON body's <c>kind</c>.</summary>
public enum AlertKind
{
    RunFailed,
    SyncPaused,
    RunHeld,
    Recovered,
    RemovalSpike,
    DriftFound,
}

/// <summary>One alert: a Slack-compatible <c>text</c> and the fields a script would read.</summary>
public sealed record Alert(AlertKind Kind, string ProjectId, string SyncId, string CohortId, string? CohortName, SyncState State, long? RunNumber,
    string? Reason, string Text, DateTimeOffset At);

/// <summary>
/// When a finished run is worth telling someone about (DESIGN.md §10): the sync entered a state that needs a person
/// (failed for good, paused by the engine, held) — once per state change, not once per run — or it is back to
/// normal after one, or the run removed far more than the sync's history says is usual. Plain and unit-tested.
/// </summary>
public static class AlertRules
{
    /// <summary>The alerts for <paramref name="run"/>, just recorded in <paramref name="sync"/>; updates the sync's alerted state.</summary>
    /// <param name="driftTolerance">The engine's drift tolerance (<c>DriftToleranceMembers</c>, <c>DriftToleranceFraction</c>).</param>
    public static IReadOnlyList<Alert> AfterRun(CohortSyncState sync, RunRecord run, AlertOptions options, DateTimeOffset now,
        (long Members, double Fraction) driftTolerance = default)
    {
        var alerts = new List<Alert>();
        var condition = Condition(sync);
        if (condition is { } kind && sync.AlertedState != kind.ToString())
        {
            alerts.Add(Make(sync, run, kind, now));
            sync.AlertedState = kind.ToString();
        }
        else if (condition is null && sync.AlertedState is not null && run.Outcome == RunOutcome.Succeeded)
        {
            alerts.Add(Make(sync, run, AlertKind.Recovered, now));
            sync.AlertedState = null;
        }
        if (RemovalSpike(sync, run, options) is { } spike) alerts.Add(Make(sync, run, AlertKind.RemovalSpike, now, spike));
        if (Drift(run, driftTolerance) is { } drift) alerts.Add(Make(sync, run, AlertKind.DriftFound, now, drift));
        return alerts;
    }

    /// <summary>
    /// What a reconcile found the list to differ from the synced set, when that is beyond the drift tolerance (the more
    /// of <paramref name="tolerance"/>'s members and its fraction of the cohort); else null.
    /// </summary>
    private static string? Drift(RunRecord run, (long Members, double Fraction) tolerance)
    {
        if (run.Outcome != RunOutcome.Succeeded || run.Counts is not { Extra: long extra, Missing: long missing }) return null;
        if (extra + missing <= Math.Max(tolerance.Members, (long)Math.Floor(run.Counts.Desired * tolerance.Fraction))) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"run #{run.RunNumber} found the Iterable list had drifted ({extra:N0} members the sync did not put there, {missing:N0} synced members gone) and repaired it");
    }

    /// <summary>The condition the sync is in that needs a person, or null. A failure the guard retries shortly is not one.</summary>
    private static AlertKind? Condition(CohortSyncState sync) => sync.State switch
    {
        SyncState.Held => AlertKind.RunHeld,
        SyncState.Paused when sync.PausedByDestination => AlertKind.SyncPaused,
        SyncState.Failed when !sync.ResumeByGuard => AlertKind.RunFailed,
        _ => null,
    };

    /// <summary>Why the run's removals are a spike, or null: far above the median of the sync's earlier successful runs.</summary>
    private static string? RemovalSpike(CohortSyncState sync, RunRecord run, AlertOptions options)
    {
        var removed = run.Counts.Removed;
        if (run.Outcome != RunOutcome.Succeeded || run.Stop is not null || removed < options.RemovalSpikeMinimum) return null;
        var earlier = sync.History.Where(r => r.RunNumber < run.RunNumber && r.Outcome == RunOutcome.Succeeded && r.Stop is null)
            .TakeLast(20).Select(r => r.Counts.Removed).Order().ToList();
        if (earlier.Count < options.RemovalSpikeHistory) return null;
        var median = earlier[earlier.Count / 2];
        if (removed < options.RemovalSpikeFactor * Math.Max(median, 1)) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"run #{run.RunNumber} removed {removed:N0} members, far above the usual {median:N0} (median of its last {earlier.Count} runs)");
    }

    private static Alert Make(CohortSyncState sync, RunRecord run, AlertKind kind, DateTimeOffset now, string? detail = null)
    {
        var who = $"sync {sync.SyncId} of project {sync.ProjectId} (cohort {sync.CohortName ?? sync.CohortId} → {sync.ListName ?? "its list"})";
        var text = kind switch
        {
            AlertKind.RunFailed => $"CohortSync: {who} failed: {sync.StateReason}",
            AlertKind.SyncPaused => $"CohortSync: {who} is paused: {sync.StateReason}",
            AlertKind.RunHeld => $"CohortSync: {who} has a held run: {sync.StateReason}",
            AlertKind.Recovered => $"CohortSync: {who} is running normally again: run #{run.RunNumber} succeeded",
            AlertKind.RemovalSpike => $"CohortSync: {who}: {detail}",
            _ => $"CohortSync: {who}: {detail}",
        };
        return new Alert(kind, sync.ProjectId, sync.SyncId, sync.CohortId, sync.CohortName, sync.State, run.RunNumber,
            kind is AlertKind.RemovalSpike or AlertKind.DriftFound ? detail : sync.StateReason, text, now);
    }
}
