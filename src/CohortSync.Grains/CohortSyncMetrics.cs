using System.Diagnostics.Metrics;
using CohortSync.Contracts;
using CohortSync.Grains.Runs;

namespace CohortSync.Grains;

/// <summary>
/// The engine's own instruments (meter <c>CohortSync</c>), per silo: runs and how they ended, members moved,
/// Iterable writes and retries, runs in progress, large-run slots taken, Amplitude downloads. The silo exports
/// them with Orleans' and the runtime's at <c>/metrics</c> (Prometheus text).
/// </summary>
public sealed class CohortSyncMetrics
{
    public const string MeterName = "CohortSync";

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly UpDownCounter<long> _active;
    private readonly Counter<long> _added;
    private readonly Counter<long> _removed;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _writes;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _downloads;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _syncStates;

    public CohortSyncMetrics(IMeterFactory meters, LargeRunSlots largeRuns)
    {
        var meter = meters.Create(MeterName);
        _runs = meter.CreateCounter<long>("cohortsync.runs", description: "Runs finished, by outcome");
        _duration = meter.CreateHistogram<double>("cohortsync.run.duration", "s", "Wall time of finished runs, Amplitude's job wait included");
        _active = meter.CreateUpDownCounter<long>("cohortsync.runs.active", description: "Runs in progress on this silo");
        _added = meter.CreateCounter<long>("cohortsync.members.added", description: "Members Iterable acknowledged as subscribed");
        _removed = meter.CreateCounter<long>("cohortsync.members.removed", description: "Members Iterable acknowledged as unsubscribed");
        _rejected = meter.CreateCounter<long>("cohortsync.members.rejected", description: "Members Iterable refused (invalid, conflict, forgotten…)");
        _writes = meter.CreateCounter<long>("cohortsync.iterable.writes", description: "Subscribe and unsubscribe requests sent to Iterable");
        _retries = meter.CreateCounter<long>("cohortsync.iterable.retries", description: "Requests sent again after 429, 5xx or a list not ready yet");
        _downloads = meter.CreateCounter<long>("cohortsync.amplitude.downloads", description: "Cohort downloads requested from Amplitude");
        _alerts = meter.CreateCounter<long>("cohortsync.alerts", description: "Alerts posted to the alert webhook, by kind and whether they were delivered");
        _syncStates = meter.CreateCounter<long>("cohortsync.sync.attention", description: "Syncs that entered a condition needing a person, by kind (runFailed, syncPaused, runHeld, removalSpike, driftFound)");
        meter.CreateObservableGauge("cohortsync.large_runs.in_use", () => largeRuns.InUse, description: "Large-run slots taken on this silo");
    }

    public void RunStarted() => _active.Add(1);

    public void RunFinished(RunOutcome outcome, TimeSpan duration, RunCounts counts)
    {
        var tag = new KeyValuePair<string, object?>("outcome", JsonOutcome(outcome));
        _active.Add(-1);
        _runs.Add(1, tag);
        _duration.Record(duration.TotalSeconds, tag);
        _added.Add(counts.Added);
        _removed.Add(counts.Removed);
        _rejected.Add(counts.RejectedTotal);
        _writes.Add(counts.Requests);
        _retries.Add(counts.Retries);
    }

    public void DownloadRequested() => _downloads.Add(1);

    public void AlertSent(string kind, bool delivered) =>
        _alerts.Add(1, new KeyValuePair<string, object?>("kind", System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(kind)),
            new KeyValuePair<string, object?>("delivered", delivered ? "true" : "false"));

    /// <summary>A sync entered a condition an alert is about (counted whether or not an alert webhook is configured).</summary>
    public void NeedsAttention(string kind) =>
        _syncStates.Add(1, new KeyValuePair<string, object?>("kind", System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(kind)));

    /// <summary>The outcome as the client and docs spell it (<c>failedRetryable</c>).</summary>
    private static string JsonOutcome(RunOutcome outcome) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString());
}
