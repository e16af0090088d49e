using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using CohortSync.Grains.Destinations;
using CohortSync.Grains.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace CohortSync.Grains.Syncs;

/// <summary>
/// One cohort sync. The cadence is a durable reminder whose tick only starts a run; the run is a
/// background loop on this activation that checkpoints into the snapshot store as it goes. A second
/// reminder (the guard) exists while a run is unfinished, so a run cut short by a dead silo is resumed.
/// Placed at random: syncs are started in bursts and their load comes in runs, not continuously, so the
/// resource-optimised default (which reads load statistics a second old) would put a burst on one silo.
/// </summary>
[RandomPlacement]
public sealed class CohortSyncGrain(
    [PersistentState("sync", StorageNames.Main)] IPersistentState<CohortSyncState> state,
    SyncRunner runner,
    RunRequestBuilder requests,
    IOptions<SyncEngineOptions> options,
    CohortSyncMetrics metrics,
    ILogger<CohortSyncGrain> logger) : Grain, ICohortSyncGrain, ICohortSyncControl, IRemindable
{
    private const string CadenceReminder = "cadence";
    private const string GuardReminder = "guard";

    private readonly SemaphoreSlim _writes = new(1, 1);
    private CancellationTokenSource? _cancel;
    private Task? _run;
    private RunTally? _tally;
    private string? _cancelReason;

    private CohortSyncState S => state.State;
    private SyncEngineOptions Options => options.Value;
    // A run is active from its start until it is recorded; after that its loop only tidies up reminders.
    private bool RunActiveHere => _run is { IsCompleted: false } && S.ActiveRun is not null;

    public async Task<SyncInfo> ConfigureAsync(SyncConfig config)
    {
        if (S.Exists) return Info();
        S.Configure(config, DateTimeOffset.UtcNow);
        await ScheduleCadenceAsync();
        await StartRunAsync("first");
        return Info();
    }

    public Task<SyncInfo> GetStatusAsync()
    {
        RequireExists();
        return Task.FromResult(Info());
    }

    public async Task<SyncInfo> RunNowAsync()
    {
        RequireExists();
        if (S.State is SyncState.Stopped)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {S.SyncId} is stopped; start a new one");
        if (S.State is SyncState.Paused)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {S.SyncId} is paused ({S.StateReason}); resume it first");
        await StartRunAsync("manual");
        return Info();
    }

    public async Task<SyncInfo> PauseAsync()
    {
        RequireExists();
        if (S.State is SyncState.Stopped) throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {S.SyncId} is stopped");
        await CancelRunAsync("paused by the operator");
        S.Pause("paused by the operator");
        await WriteAsync();
        return Info();
    }

    public async Task<SyncInfo> ResumeAsync()
    {
        RequireExists();
        if (S.State is not SyncState.Paused) return Info();
        var access = await Destination.GetIterableAccessAsync();
        if (access.Health == DestinationHealth.Unhealthy)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"destination {S.DestinationId} is unhealthy ({access.HealthReason}); fix it first");
        S.Resume();
        await ScheduleCadenceAsync();
        await StartRunAsync("resume");
        return Info();
    }

    public async Task PauseForDestinationAsync(string reason)
    {
        if (!S.Exists || S.State is SyncState.Stopped or SyncState.Done || (S.State is SyncState.Paused && !S.PausedByDestination)) return;
        if (RunActiveHere)
        {
            // Not awaited: the run may be the very caller that reported the rejected key.
            _cancelReason = reason;
            _cancel!.Cancel();
        }
        S.PauseForDestination(reason);
        await WriteAsync();
    }

    public async Task ResumeAfterDestinationFixedAsync()
    {
        if (!S.Exists || S.State is not SyncState.Paused || !S.PausedByDestination) return;
        S.Resume();
        await ScheduleCadenceAsync();
        await StartRunAsync("resume");
    }

    public async Task<SyncInfo> StopAsync()
    {
        RequireExists();
        await CancelRunAsync("stopped by the operator");
        S.Stop("stopped by the operator");
        await WriteAsync();
        await UnregisterAsync(CadenceReminder);
        await UnregisterAsync(GuardReminder);
        return Info();
    }

    public async Task<SyncPreview> PreviewAsync()
    {
        RequireExists();
        if (S.State is SyncState.Stopped)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {S.SyncId} is stopped; there is no next run to preview");
        if (S.ActiveRun is not null)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {S.SyncId} has run #{S.ActiveRun.RunNumber} in progress; preview once it has finished (cohortsync sync wait)");
        RunRequest request;
        try { request = await requests.BuildAsync(S); }
        catch (RunFailure failure) { throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {S.SyncId} cannot run: {failure.Message}"); }
        using var timeout = new CancellationTokenSource(Options.AmplitudeJobTimeout + TimeSpan.FromMinutes(2));
        try
        {
            var found = await runner.PreviewAsync(request, timeout.Token);
            return new SyncPreview(S.ProjectId, S.SyncId, S.CohortId, found.CohortName, S.ListId, S.ListName, found.Synced,
                found.Read.CohortRows, found.Read.Desired, found.Read.Skipped, found.Read.Invalid, found.HeldBack,
                found.Adds, found.Removes, found.SampleAdds, found.SampleRemoves);
        }
        catch (RunFailure failure)
        {
            throw new CohortSyncException(failure.Outcome == RunOutcome.FailedRetryable ? ErrorCodes.Unreachable : ErrorCodes.InvalidState,
                $"preview of sync {S.SyncId} failed: {failure.Message}");
        }
    }

    public Task<IReadOnlyList<RunRecord>> GetHistoryAsync(int limit)
    {
        RequireExists();
        IReadOnlyList<RunRecord> runs = S.History.AsEnumerable().Reverse().Take(Math.Clamp(limit, 1, 1000)).ToList();
        return Task.FromResult(runs);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!S.Exists || S.State is SyncState.Stopped)
        {
            await UnregisterAsync(reminderName);
            return;
        }
        if (RunActiveHere || S.State is SyncState.Paused) return;

        if (reminderName == CadenceReminder)
        {
            await StartRunAsync("cadence");
        }
        else if (reminderName == GuardReminder)
        {
            // A run checkpointed as active but not running here was cut short (silo died); a failed
            // one-time sync has no cadence to retry it. Anything else: the guard has nothing left to guard.
            if (S.ActiveRun is not null || (S.State is SyncState.Failed && !S.IsRecurring)) await StartRunAsync("resume");
            else await UnregisterAsync(GuardReminder);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (RunActiveHere)
        {
            // The run's checkpoints are in the journal; it ends failed-retryable and the guard reminder resumes it.
            _cancelReason = $"interrupted: the activation was deactivated ({reason.ReasonCode})";
            _cancel?.Cancel();
            try { await _run!.WaitAsync(cancellationToken); } catch (Exception) { /* recorded by the loop */ }
        }
    }

    private IDestinationAccess Destination => GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(S.ProjectId, S.DestinationId));

    private async Task StartRunAsync(string trigger)
    {
        if (RunActiveHere) return;
        // The previous run is recorded but its loop may still be tidying its reminders: let it finish first,
        // so a run asked for in that moment is not lost and the new guard is not unregistered by the old loop.
        if (_run is { IsCompleted: false })
        {
            try { await _run; } catch (Exception) { /* the run itself was recorded; only its tidying failed */ }
        }
        var run = S.BeginRun(trigger, DateTimeOffset.UtcNow, Options.HistoryLimit);
        _tally = new RunTally();
        // The first write of a run is also the single-writer guard: a stale duplicate activation fails on its ETag here.
        await WriteAsync();
        await this.RegisterOrUpdateReminder(GuardReminder, Options.GuardPeriod, Options.GuardPeriod);
        _cancelReason = null;
        _cancel = new CancellationTokenSource();
        _run = RunLoopAsync(run, _tally, _cancel.Token);
    }

    private async Task RunLoopAsync(RunRecord run, RunTally tally, CancellationToken ct)
    {
        await Task.Yield();
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["ProjectId"] = S.ProjectId, ["SyncId"] = S.SyncId, ["Run"] = run.RunNumber });
        RunOutcome outcome;
        string? reason = null;
        RunResult? result = null;
        var keyRejected = false;
        DelayDeactivation(TimeSpan.FromHours(1));
        metrics.RunStarted();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var request = await requests.BuildAsync(S);
            result = await runner.RunAsync(request, tally, async (listId, listName) =>
            {
                S.ListId = listId;
                S.ListName = listName;
                S.ActiveRun = S.ActiveRun! with { Phase = tally.Phase, Counts = tally.Snapshot() };
                await WriteAsync();
            }, ct);
            outcome = RunOutcome.Succeeded;
            reason = result.Note;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            outcome = _cancelReason?.StartsWith("interrupted", StringComparison.Ordinal) == true ? RunOutcome.FailedRetryable : RunOutcome.Cancelled;
            reason = _cancelReason ?? "cancelled";
        }
        catch (RunFailure failure)
        {
            outcome = failure.Outcome;
            reason = failure.Message;
            keyRejected = failure.KeyRejected;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Run {Run} of sync {SyncId} failed unexpectedly", run.RunNumber, S.SyncId);
            outcome = RunOutcome.FailedRetryable;
            reason = $"unexpected error: {ex.GetType().Name}: {ex.Message}";
        }

        var counts = tally.Snapshot();
        metrics.RunFinished(outcome, clock.Elapsed, counts);
        S.FinishRun(run, outcome, reason, tally.Phase, counts, result, keyRejected, DateTimeOffset.UtcNow, Options.HistoryLimit);
        logger.LogInformation("Run {Run} of sync {SyncId}: {Outcome} (+{Added} −{Removed}, {Requests} requests){Reason}",
            run.RunNumber, S.SyncId, outcome, counts.Added, counts.Removed, counts.Requests, reason is null ? "" : ": " + reason);
        if (keyRejected) await Destination.ReportKeyRejectedAsync(reason!);
        try { await WriteAsync(); }
        catch (Exception ex) { logger.LogWarning(ex, "Could not record run {Run} of sync {SyncId}", run.RunNumber, S.SyncId); }

        var keepGuard = outcome == RunOutcome.FailedRetryable && (!S.IsRecurring || _cancelReason is not null) && !keyRejected;
        if (!keepGuard) await UnregisterAsync(GuardReminder);
        if (S.State is SyncState.Done) await UnregisterAsync(CadenceReminder);

        // A finished loop keeps its locals (the request with its decrypted keys among them) for as long as its task
        // is referenced: let go of it, its tally and its token source. No new run can have started before this point.
        _run = null;
        _tally = null;
        _cancel?.Dispose();
        _cancel = null;
    }

    private async Task CancelRunAsync(string why)
    {
        if (!RunActiveHere) return;
        _cancelReason = why;
        _cancel!.Cancel();
        try { await _run!; } catch (Exception) { /* recorded by the loop */ }
    }

    private async Task ScheduleCadenceAsync()
    {
        var cadence = Cadence.Parse(S.Cadence, TimeSpan.Zero);
        if (!cadence.IsRecurring) { S.NextRunAt = null; return; }
        var next = S.NextCadenceSlot(DateTimeOffset.UtcNow)!.Value;
        S.NextRunAt = next;
        var due = next - DateTimeOffset.UtcNow;
        await this.RegisterOrUpdateReminder(CadenceReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, cadence.Period);
    }

    private async Task UnregisterAsync(string name)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    private async Task WriteAsync()
    {
        await _writes.WaitAsync();
        try { await state.WriteStateAsync(); }
        finally { _writes.Release(); }
    }

    private void RequireExists()
    {
        if (!S.Exists)
        {
            var (projectId, syncId) = GrainKeys.Split(this.GetPrimaryKeyString());
            throw new CohortSyncException(ErrorCodes.UnknownSync, $"project {projectId} has no sync '{syncId}'");
        }
    }

    /// <summary>The sync as the client sees it, with the live phase and counts of a run in progress here.</summary>
    private SyncInfo Info() =>
        S.ToInfo(_tally is not null && RunActiveHere ? S.ActiveRun! with { Phase = _tally.Phase, Counts = _tally.Snapshot() } : S.ActiveRun,
            S.QuotaWarning(Options.AmplitudeMonthlyDownloadQuota));
}
