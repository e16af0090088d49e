using CohortSync.Contracts;
using CohortSync.Grains.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Syncs;

/// <summary>Why a sync's grain cancelled its own run: the outcome depends on it, never on the reason's wording.</summary>
public enum CancelCause
{
    /// <summary>The operator paused the sync: the run ends cancelled.</summary>
    Paused = 1,
    /// <summary>The operator stopped the sync: the run ends cancelled.</summary>
    Stopped = 2,
    /// <summary>The activation is going away (silo shutdown, rebalancing): the run ends failed-retryable and the guard resumes it.</summary>
    Deactivation = 3,
}

/// <summary>How a run ended: its outcome, its reason (one sentence), the failure's kind if it failed, its result if it succeeded.</summary>
public sealed record RunEnd(RunOutcome Outcome, string? Reason, FailureKind? Kind, RunResult? Result)
{
    public bool KeyRejected => Kind == FailureKind.KeyRejected;
}

/// <summary>
/// Carries one run of a sync from its request to its end: builds the request, runs it, and turns whatever ended it
/// into a <see cref="RunEnd"/>. The grain owns the state and the reminders; this owns nothing but the run.
/// </summary>
public sealed class RunExecution(
    SyncRunner runner,
    RunRequestBuilder requests,
    CohortSyncMetrics metrics,
    Storage.Refused.IRefusedMemberStore refused,
    Alerts.AlertSender alerts,
    IOptions<Alerts.AlertOptions> alertOptions,
    IOptions<SyncEngineOptions> options,
    ILogger<RunExecution> logger)
{
    /// <summary>A page of the members Iterable refused for <paramref name="sync"/> (read from the store; nothing is sent anywhere).</summary>
    public async Task<RefusedPage> RefusedAsync(CohortSyncState sync, string? after, int limit)
    {
        if (limit is < 1 or > 1000) throw new CohortSyncException(ErrorCodes.InvalidArgument, "limit must be between 1 and 1000");
        var (members, total) = await refused.PageAsync(sync.Key, after, limit + 1, CancellationToken.None);
        var page = members.Take(limit).Select(m => new RefusedMemberInfo(m.Member, m.Reason, m.RefusedAt, m.RefusedAt + options.Value.RefusedCooldown)).ToList();
        return new RefusedPage(sync.ProjectId, sync.SyncId, total, page, members.Count > limit ? page[^1].Member : null);
    }

    /// <summary>Steps 1–3 of a run for <paramref name="sync"/>: what its next run would send, with nothing sent.</summary>
    /// <param name="reconcile">Diff against the list's membership as Iterable lists it (a reconcile's dry run), not the synced set.</param>
    public async Task<SyncPreview> PreviewAsync(CohortSyncState sync, bool reconcile = false)
    {
        using var timeout = new CancellationTokenSource(options.Value.AmplitudeJobTimeout + TimeSpan.FromMinutes(2));
        try
        {
            var request = await requests.BuildAsync(sync, new RunTally(), timeout.Token);
            var found = await runner.PreviewAsync(request with { Reconcile = reconcile }, timeout.Token);
            return new SyncPreview(sync.ProjectId, sync.SyncId, sync.CohortId, found.CohortName, sync.ListId, sync.ListName, found.Synced,
                found.Read.CohortRows, found.Read.Desired, found.Read.Skipped, found.Read.Invalid, found.HeldBack,
                found.Adds, found.Removes, found.SampleAdds, found.SampleRemoves)
            {
                WouldBeHeld = found.WouldBeHeld,
                Guard = sync.RemovalGuard.ToString(),
                Extra = found.Extra,
                Missing = found.Missing,
                Listed = found.Extra is null ? null : found.Synced,
            };
        }
        catch (Exception ex)
        {
            var failure = RunFailures.From(ex, RunPhase.Starting, sync.CohortId);
            throw new CohortSyncException(failure.Outcome == RunOutcome.FailedRetryable ? ErrorCodes.Unreachable : ErrorCodes.InvalidState,
                $"preview of sync {sync.SyncId} failed: {RunFailures.Sentence(failure.Message)}");
        }
    }

    /// <summary>
    /// After <paramref name="run"/> was recorded in <paramref name="sync"/>: counts and posts the alerts it calls for.
    /// Call before the state is written: the sync remembers what it alerted about. Never waits for the receiver.
    /// </summary>
    public void RunRecorded(CohortSyncState sync, RunRecord run)
    {
        var drift = (options.Value.DriftToleranceMembers, options.Value.DriftToleranceFraction);
        foreach (var alert in Alerts.AlertRules.AfterRun(sync, run, alertOptions.Value, DateTimeOffset.UtcNow, drift))
        {
            if (alert.Kind != Alerts.AlertKind.Recovered) metrics.NeedsAttention(alert.Kind.ToString());
            alerts.Post(alert);
        }
    }

    /// <summary>
    /// The drift audit's one request: the size of the sync's list as Iterable counts it (GET /api/lists/{id}/size,
    /// paced 5 a minute per Iterable project with the getUsers of reconciles). Null when it could not be read; logged.
    /// </summary>
    public async Task<long?> ListSizeAsync(CohortSyncState sync, long listId, CancellationToken ct)
    {
        try
        {
            var request = await requests.BuildAsync(sync, new RunTally(), ct);
            return await request.Iterable.GetListSizeAsync(listId, ct);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && ct.IsCancellationRequested))
        {
            logger.LogWarning("Drift audit of sync {SyncId}: the size of list {ListId} could not be read ({Reason}); the next audit tries again",
                sync.SyncId, listId, RunFailures.Sentence(RunFailures.From(ex, RunPhase.Starting, sync.CohortId).Message));
            return null;
        }
    }

    /// <summary>Whether changes were pushed for a realtime sync's cohort after those already in its list.</summary>
    public async Task<bool> ChangesWaitingAsync(CohortSyncState sync, CancellationToken ct) =>
        requests.ChangesOf(sync, Core.Identity.IdentityRules.DefaultProperty) is { } changes && await changes.LatestAsync(ct) > sync.ChangesCursor;

    /// <param name="onListReady">Persists the list the run found or made before anything is pushed to it.</param>
    /// <param name="confirmOwner">Throws unless this activation still owns the sync (see <see cref="SyncRunner"/>).</param>
    /// <param name="cause">Why <paramref name="ct"/> was cancelled, asked only once it was.</param>
    public async Task<RunEnd> RunAsync(CohortSyncState sync, RunRecord run, RunTally tally, Func<long, string, Task> onListReady,
        Func<Task> confirmOwner, Func<CancelCause> cause, CancellationToken ct)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ProjectId"] = sync.ProjectId, ["SyncId"] = sync.SyncId, ["Run"] = run.RunNumber });
        metrics.RunStarted();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var end = await EndOfAsync(sync, run, tally, onListReady, confirmOwner, cause, ct);
        var counts = tally.Snapshot();
        metrics.RunFinished(end.Outcome, clock.Elapsed, counts);
        logger.LogInformation("Run {Run} of sync {SyncId}: {Outcome} (+{Added} −{Removed}, {Requests} requests){Reason}",
            run.RunNumber, sync.SyncId, end.Outcome, counts.Added, counts.Removed, counts.Requests, end.Reason is null ? "" : ": " + end.Reason);
        return end;
    }

    private async Task<RunEnd> EndOfAsync(CohortSyncState sync, RunRecord run, RunTally tally, Func<long, string, Task> onListReady,
        Func<Task> confirmOwner, Func<CancelCause> cause, CancellationToken ct)
    {
        try
        {
            var request = await requests.BuildAsync(sync, tally, ct, run.Source);
            var result = await runner.RunAsync(request, tally, onListReady, confirmOwner, ct);
            return new RunEnd(result.Held ? RunOutcome.Held : RunOutcome.Succeeded, result.Note, null, result);
        }
        catch (Exception ex) when (ClusterFaults.EndedByCancellation(ex, ct))
        {
            return cause() switch
            {
                CancelCause.Deactivation => new RunEnd(RunOutcome.FailedRetryable,
                    "interrupted: the silo running it stopped or moved the sync; the run resumes from its checkpoint", FailureKind.Transient, null),
                CancelCause.Stopped => new RunEnd(RunOutcome.Cancelled, "stopped by the operator", null, null),
                _ => new RunEnd(RunOutcome.Cancelled, "paused by the operator", null, null),
            };
        }
        catch (Exception ex)
        {
            var failure = RunFailures.From(ex, tally.Phase, sync.CohortId);
            var underlying = failure.InnerException ?? (ex is RunFailure ? null : ex);
            if (underlying is not null)
                logger.LogWarning(underlying, "Run {Run} of sync {SyncId} failed: {Reason}", run.RunNumber, sync.SyncId, failure.Message);
            return new RunEnd(failure.Outcome, RunFailures.Sentence(failure.Message), failure.Kind, null);
        }
    }
}
