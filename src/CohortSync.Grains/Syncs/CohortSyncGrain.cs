using CohortSync.Contracts;
using CohortSync.Grains.Destinations;
using CohortSync.Grains.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;

namespace CohortSync.Grains.Syncs;

/// <summary>
/// One cohort sync. The cadence is a durable reminder whose tick only starts a run; the run is a background loop on
/// this activation (<see cref="RunExecution"/>) that checkpoints as it goes. A second reminder (the guard) exists while
/// a run is unfinished or failed for the cluster, so a run cut short by a dead silo is resumed within its period.
/// Placed at random: syncs start in bursts and load comes in runs, so the resource-optimised default (which reads
/// load statistics a second old) would put a burst on one silo.
/// </summary>
[RandomPlacement]
public sealed class CohortSyncGrain(
    [PersistentState("sync", StorageNames.Main)] IPersistentState<CohortSyncState> state,
    RunExecution execution,
    ClusterRetry retry,
    IOptions<SyncEngineOptions> options,
    ILogger<CohortSyncGrain> logger) : Grain, ICohortSyncGrain, ICohortSyncControl, IRemindable
{
    private const string CadenceReminder = "cadence";
    private const string GuardReminder = "guard";
    private const string DriftReminder = "drift-audit";
    private static readonly TimeSpan DriftAuditTimeout = TimeSpan.FromMinutes(30);

    private readonly SerialStateWriter<CohortSyncState> _writes = new(state);
    private readonly RunSlot _slot = new();
    // Changes arrived while a run was active: applied as soon as it ends (many small batches become one apply).
    private bool _changesArrived;
    // Set from the first notice of a burst until its apply starts: later notices of the burst join it.
    private IGrainTimer? _applySoon;
    // A drift audit's size request is on its way (off the grain's turns): a second tick meanwhile adds nothing.
    private bool _auditing;
    // Whether this activation made sure the drift audit's reminder exists (syncs started before there was an audit have none).
    private bool _auditReminderChecked;
    // Calls waiting in StartRunAsync for the previous loop to finish: a sync about to run again does not rest.
    private int _startsWaiting;

    private CohortSyncState Sync => state.State;
    private SyncEngineOptions Options => options.Value;
    // A run is active from its start until it is recorded; after that its loop only tidies up reminders.
    private bool RunActiveHere => _slot.Busy && Sync.ActiveRun is not null;

    public async Task<SyncInfo> ConfigureAsync(SyncConfig config)
    {
        if (Sync.Exists) return Info(Sync);
        Sync.Configure(config, DateTimeOffset.UtcNow);
        await ScheduleCadenceAsync();
        await StartRunAsync("first");
        return Info(Sync);
    }

    public Task<SyncInfo> GetStatusAsync() => Task.FromResult(Info(Require()));

    public Task<SyncInfo> RunNowAsync() => RunNowAsync(new RunNowRequest());

    public async Task<SyncInfo> RunNowAsync(RunNowRequest request)
    {
        Require().RequireRunnable();
        // A run of a disabled project's sync would only fail: say so instead of starting it.
        var project = await GrainFactory.GetGrain<Projects.IProjectAccess>(Sync.ProjectId).GetAmplitudeAccessAsync();
        if (!project.Enabled)
            throw new CohortSyncException(ErrorCodes.InvalidState,
                $"project {Sync.ProjectId} is disabled, so sync {Sync.SyncId} cannot run; enable it again with 'cohortsync project enable {Sync.ProjectId}'");
        await StartRunAsync("manual", retryRefused: request.RetryRefused);
        return Info(Sync);
    }

    public Task<RefusedPage> GetRefusedAsync(string? after, int limit) => execution.RefusedAsync(Require(), after, limit);

    public async Task<SyncInfo> ReconcileAsync()
    {
        Require().RequireRunnable();
        if (Sync.State is SyncState.Held)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {Sync.SyncId} has a held run; approve or reject it first (cohortsync sync approve|reject)");
        Sync.ReconcileNext = true;
        // A run already under way is not a reconcile: the flag waits for the next one, so it must be kept now.
        if (RunActiveHere) await WriteAsync();
        await StartRunAsync("reconcile", RunSource.Download);
        return Info(Sync);
    }

    public Task<SyncPreview> PreviewReconcileAsync() => execution.PreviewAsync(Require().RequirePreviewable(), reconcile: true);

    public async Task DriftAuditedAsync(long listId, long size, long syncedCount)
    {
        // Whatever changed since the size was asked for (a run, a pause, a new list) makes the answer stale: the next audit asks again.
        if (!Sync.Exists || Sync.ListId != listId || Sync.SyncedCount != syncedCount || RunActiveHere
            || Sync.State is SyncState.Paused or SyncState.Stopped or SyncState.Held or SyncState.Done) return;
        var beyond = Options.DriftBeyondTolerance(size, syncedCount);
        Sync.DriftAudited(size, beyond, DateTimeOffset.UtcNow);
        await WriteAsync();
        if (beyond)
        {
            logger.LogInformation("Sync {SyncId}: drift audit found {Size} members in list {ListId} against {Synced} synced; reconciling", Sync.SyncId, size, listId, syncedCount);
            await StartRunAsync("drift");
        }
    }

    public async Task<SyncInfo> PauseAsync()
    {
        Require().RequireNotStopped();
        if (RunActiveHere) await _slot.CancelAsync(CancelCause.Paused);
        Sync.Pause("paused by the operator");
        await WriteAsync();
        await UnregisterAsync(CadenceReminder);
        return Info(Sync);
    }

    public async Task<SyncInfo> ResumeAsync()
    {
        if (Require().State is not SyncState.Paused) return Info(Sync);
        var access = await Destination.GetIterableAccessAsync();
        if (access.Health == DestinationHealth.Unhealthy)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"destination {Sync.DestinationId} is unhealthy ({access.HealthReason}); fix it first");
        await ResumeHereAsync();
        return Info(Sync);
    }

    public async Task ResumeAfterDestinationFixedAsync()
    {
        if (Sync.Exists && Sync.State is SyncState.Paused && Sync.PausedByDestination) await ResumeHereAsync();
    }

    public async Task ChangesArrivedAsync()
    {
        if (!Sync.Exists || !Sync.Cadence.IsRealtime || Sync.State is SyncState.Paused or SyncState.Stopped or SyncState.Held) return;
        if (RunActiveHere)
        {
            _changesArrived = true;
            return;
        }
        if (Options.RealtimeCoalesce <= TimeSpan.Zero)
        {
            await ApplyWaitingChangesAsync();
            return;
        }
        _applySoon ??= this.RegisterGrainTimer(async _ =>
        {
            _applySoon?.Dispose();
            _applySoon = null;
            if (!RunActiveHere) await ApplyWaitingChangesAsync();
            else _changesArrived = true;
        }, new GrainTimerCreationOptions(Options.RealtimeCoalesce, Timeout.InfiniteTimeSpan) { Interleave = false });
    }

    public async Task<SyncInfo> UseUploadAsync(string uploadId, long members, bool run)
    {
        if (Require().State is SyncState.Stopped)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {Sync.SyncId} is stopped; an upload would never be used");
        Sync.Upload = new PendingUpload(uploadId, members, DateTimeOffset.UtcNow);
        await WriteAsync();
        if (run && Sync.State is not (SyncState.Paused or SyncState.Held)) await StartRunAsync("upload");
        return Info(Sync);
    }

    public async Task SetAutoReconcileAsync(TimeSpan every)
    {
        if (!Sync.Exists || !Sync.Cadence.IsRealtime || Sync.ReconcileEvery is not null || Sync.AutoReconcile == every) return;
        Sync.AutoReconcile = every;
        // The next reconciliation moves to the new interval's slot; a run under way sets it when it ends.
        if (!RunActiveHere && Sync.NextRunAt is not null) Sync.NextRunAt = Sync.NextCadenceSlot(DateTimeOffset.UtcNow);
        await WriteAsync();
    }

    public Task<SyncInfo> StopAsync() => StopAsync(ListOnStop.Keep);

    public async Task<SyncInfo> StopAsync(ListOnStop list)
    {
        if (Require().State is SyncState.Stopped)
        {
            // A repeated stop (its answer lost) changes nothing; one whose list action failed carries it out again.
            if (Sync.StopAgainNeedsRun(list) && !RunActiveHere) await StartRunAsync("stop");
            return Info(Sync);
        }
        if (RunActiveHere) await _slot.CancelAsync(CancelCause.Stopped);
        Sync.Stop("stopped by the operator", list, DateTimeOffset.UtcNow, Options.HistoryLimit);
        await WriteAsync();
        _ = GrainFactory.GetGrain<Projects.IProjectAccess>(Sync.ProjectId).SyncStoppedAsync(Sync.SyncId);
        await UnregisterAsync(CadenceReminder);
        if (list == ListOnStop.Keep) await UnregisterAsync(GuardReminder);
        else await StartRunAsync("stop");
        await UnregisterAsync(DriftReminder);
        return Info(Sync);
    }

    public async Task<SyncInfo> FollowRenameAsync(ListOnStop oldList)
    {
        if (ListMove.Ask(Require(), oldList, RunActiveHere)) await WriteAsync();
        await StartRunAsync("follow-rename");
        return Info(Sync);
    }

    public async Task<SyncInfo> ApproveAsync()
    {
        Require().Approve();
        await StartRunAsync("approved", Sync.ResumeSource);
        return Info(Sync);
    }

    public async Task<SyncInfo> RejectAsync()
    {
        if (Require().Rejected) return Info(Sync);
        Sync.Reject();
        await WriteAsync();
        await UnregisterAsync(CadenceReminder);
        return Info(Sync);
    }

    public Task<SyncPreview> PreviewAsync() => execution.PreviewAsync(Require().RequirePreviewable());

    public Task<IReadOnlyList<RunRecord>> GetHistoryAsync(int limit) => Task.FromResult(Require().Recent(limit));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!Sync.Exists || (Sync.State is SyncState.Stopped && (reminderName != GuardReminder || Sync.PendingStop is null)))
        {
            await UnregisterAsync(reminderName);
            return;
        }
        if (reminderName == DriftReminder)
        {
            // A sync whose audit now follows its runs (or that was started before it did) drops the reminder at its tick.
            if (DriftAudit is not { } audit || !Sync.DriftAuditHasOwnReminder(audit)) await UnregisterAsync(DriftReminder);
            if (DriftAudit is not null) StartDriftAudit();
            return;
        }
        // A held sync waits for its operator: another download would cost quota only to be held again.
        if (RunActiveHere || Sync.State is SyncState.Paused or SyncState.Held) return;

        // A realtime sync's cadence reminder is its sweep: changes a lost notice left waiting, and its reconciliation when due.
        if (reminderName == CadenceReminder && Sync.Cadence.IsRealtime && Sync.NextRunAt > DateTimeOffset.UtcNow)
        {
            await ApplyWaitingChangesAsync();
            // The sweep is also the realtime sync's drift audit tick.
            if (!RunActiveHere) AuditIfDue();
        }
        // A cron reminder ticking before its time is its fallback period or a far time's first leg: aim it at the time.
        else if (reminderName == CadenceReminder && Sync.Cadence.IsCron && !(Sync.NextRunAt <= DateTimeOffset.UtcNow)) await AimCronReminderAsync();
        else if (reminderName == CadenceReminder) await StartRunAsync(Sync.Cadence.IsRealtime ? "reconcile" : "cadence");
        // A run checkpointed as active but not running here was cut short (silo died); a run that failed for the
        // cluster, or a failed one-time sync, is the guard's to resume. Anything else: the guard has nothing to guard.
        else if (reminderName == GuardReminder && (Sync.ActiveRun is not null || Sync.ResumeByGuard)) await StartRunAsync(Sync.State is SyncState.Stopped ? "stop" : "resume", Sync.ResumeSource);
        else if (reminderName == GuardReminder) await UnregisterAsync(GuardReminder);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!RunActiveHere) return;
        // The run's checkpoints are in the journal; it ends failed-retryable and the guard reminder resumes it.
        logger.LogInformation("Sync {SyncId}: activation deactivated ({Reason}) during run; the guard resumes it", Sync.SyncId, reason.ReasonCode);
        await _slot.CancelAsync(CancelCause.Deactivation, cancellationToken);
    }

    private IDestinationAccess Destination => GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(Sync.ProjectId, Sync.DestinationId));

    private async Task ResumeHereAsync()
    {
        Sync.Resume();
        await ScheduleCadenceAsync();
        await StartRunAsync("resume", Sync.ResumeSource);
    }

    private async Task ApplyWaitingChangesAsync()
    {
        // Checked again here: a coalesced apply starts a moment after its notice, and the sync may have been paused meanwhile.
        if (Sync.State is SyncState.Paused or SyncState.Stopped or SyncState.Held or SyncState.Done) return;
        if (await execution.ChangesWaitingAsync(Sync, CancellationToken.None)) await StartRunAsync("webhook", RunSource.Webhook);
    }

    private async Task StartRunAsync(string trigger, RunSource source = RunSource.Download, bool retryRefused = false)
    {
        if (RunActiveHere) return;
        // A committed member file replaces the next download.
        if (source == RunSource.Download && Sync.Upload is not null) source = RunSource.Upload;
        // The previous run is recorded but its loop may still be tidying its reminders: let it finish first,
        // so a run asked for in that moment is not lost and the new guard is not unregistered by the old loop.
        _startsWaiting++;
        try { await _slot.WaitIdleAsync(); }
        finally { _startsWaiting--; }
        // The guard before the run is written: a run stored as active with no guard (the reminder service unreachable
        // for a moment while a silo dies, or this silo killed between the two) would wait for its next cadence slot.
        // A guard with nothing to guard unregisters itself on its first tick.
        await retry.CallAsync(_ => this.RegisterOrUpdateReminder(GuardReminder, Options.GuardPeriod, Options.GuardPeriod), CancellationToken.None);
        var run = Sync.BeginRun(trigger, DateTimeOffset.UtcNow, Options.HistoryLimit, source, retryRefused);
        // The first write of a run is also the single-writer guard: a stale duplicate activation fails on its ETag here.
        await WriteAsync();
        _slot.Start((tally, ct) => RunLoopAsync(run, tally, ct));
    }

    private async Task RunLoopAsync(RunRecord run, RunTally tally, CancellationToken ct)
    {
        await Task.Yield();
        DelayDeactivation(TimeSpan.FromHours(1));
        var end = await execution.RunAsync(Sync, run, tally, async (listId, listName) =>
        {
            Sync.ListReady(listId, listName, tally.Phase, tally.Snapshot());
            await WriteAsync();
        }, async () =>
        {
            // The checkpoint doubles as the ownership check: a stale duplicate activation fails on its ETag.
            Sync.Checkpoint(tally.Phase, tally.Snapshot());
            await WriteAsync();
        }, () => _slot.Cause, ct);

        Sync.FinishRun(run, end, tally.Phase, tally.Snapshot(), DateTimeOffset.UtcNow, Options.HistoryLimit);
        execution.RunRecorded(Sync, Sync.LastRun!);
        // Unless the run is stored, this activation is the only one that knows how it ended: it does not rest.
        var recorded = false;
        try
        {
            await WriteAsync();
            recorded = true;
            // Pull, not fan-out: the destination only notes it; its other syncs find it unhealthy when they next run.
            if (end.KeyRejected) await Destination.ReportKeyRejectedAsync(end.Reason!);
        }
        catch (Exception ex) { logger.LogWarning(ex, "Could not record run {Run} of sync {SyncId}", run.RunNumber, Sync.SyncId); }

        if (!Sync.ResumeByGuard) await UnregisterAsync(GuardReminder);
        await EnsureDriftReminderAsync();
        // Just after a run is when the list should be the synced set exactly: an audit that is due is made now.
        if (recorded && end.Outcome == RunOutcome.Succeeded) AuditIfDue();
        if (Sync.State is SyncState.Done || end.KeyRejected) await UnregisterAsync(CadenceReminder);
        else if (Sync.Cadence.IsCron && Sync.NextRunAt is { } next)
        {
            // Cron times are not a period apart: the reminder is aimed at each next time as the run before it ends.
            try { await RegisterCadenceReminderAsync(next); }
            catch (Exception ex) { logger.LogWarning(ex, "Sync {SyncId}: could not aim the cron reminder at {Next}; its fallback period ticks", Sync.SyncId, next); }
        }
        var cause = _slot.Cause;
        _slot.Clear();
        // A new turn, not a call from inside this loop: the next apply starts as any other call would.
        if (_changesArrived)
        {
            _changesArrived = false;
            await this.AsReference<ICohortSyncControl>().ChangesArrivedAsync();
        }
        else if (recorded && RestsAfterRun(cause, DateTimeOffset.UtcNow)) DeactivateOnIdle();
    }

    /// <summary>
    /// Whether the activation leaves memory now that its run is over: a sync whose next run is far off costs only its
    /// reminders while it waits, and the reminder's tick (or any call) activates it again from its stored state. Not a
    /// realtime sync (Amplitude's batches and its sweeps keep it busy), not a run cut short by the operator (the call
    /// that cancelled it goes on here), not while another call waits to start a run or a drift audit is under way.
    /// </summary>
    private bool RestsAfterRun(CancelCause cause, DateTimeOffset now) =>
        Options.RestAfterRunWhenIdleFor > TimeSpan.Zero && cause == default && _startsWaiting == 0 && !_auditing && _applySoon is null
        && !Sync.Cadence.IsRealtime && !(Sync.NextRunAt - now <= Options.RestAfterRunWhenIdleFor);

    /// <summary>
    /// The drift audit: one size request, sent off the grain's turns (it may queue behind other list reads of the
    /// Iterable project for minutes), its answer brought back as a call of its own.
    /// </summary>
    private void StartDriftAudit()
    {
        if (_auditing || RunActiveHere || Sync.ListId is not long listId || Sync.ReconcileNext
            || Sync.State is SyncState.Paused or SyncState.Stopped or SyncState.Held or SyncState.Done) return;
        _auditing = true;
        var synced = Sync.SyncedCount;
        _ = AuditAsync();

        async Task AuditAsync()
        {
            try
            {
                await Task.Yield();
                using var timeout = new CancellationTokenSource(DriftAuditTimeout);
                if (await execution.ListSizeAsync(Sync, listId, timeout.Token) is long size)
                    await this.AsReference<ICohortSyncControl>().DriftAuditedAsync(listId, size, synced);
            }
            catch (Exception ex) { logger.LogWarning(ex, "Drift audit of sync {SyncId} failed; the next one tries again", Sync.SyncId); }
            finally { _auditing = false; }
            // An audit after a run kept the sync in memory; with nothing else to do it rests now.
            if (!_slot.Busy && RestsAfterRun(default, DateTimeOffset.UtcNow)) DeactivateOnIdle();
        }
    }

    private TimeSpan? DriftAudit => Sync.DriftAuditPeriod(Options.DriftAuditPeriod);

    /// <summary>The audit of a sync without a reminder of its own, at one of its own ticks.</summary>
    private void AuditIfDue()
    {
        if (DriftAudit is { } audit && !Sync.DriftAuditHasOwnReminder(audit) && Sync.DriftAuditDue(audit, DateTimeOffset.UtcNow)) StartDriftAudit();
    }

    /// <summary>
    /// Once: a recurring sync without its drift audit's reminder (started before the audit existed) gets one. Kept in the
    /// state with the next write, so a sync that rests between runs does not read the reminder table at every run.
    /// </summary>
    private async Task EnsureDriftReminderAsync()
    {
        if (_auditReminderChecked || Sync.DriftReminderKnown || Sync.State is SyncState.Stopped or SyncState.Done) return;
        _auditReminderChecked = true;
        try
        {
            if (DriftAudit is { } audit && Sync.DriftAuditHasOwnReminder(audit) && await this.GetReminder(DriftReminder) is null)
                await this.RegisterOrUpdateReminder(DriftReminder, audit, audit);
            Sync.DriftReminderKnown = true;
        }
        catch (Exception ex) { logger.LogWarning(ex, "Sync {SyncId}: could not check its drift audit's reminder; the next activation tries again", Sync.SyncId); }
    }

    private async Task ScheduleCadenceAsync()
    {
        _auditReminderChecked = true;
        // The drift audit follows the sync's own ticks when they come often enough; otherwise it ticks on its own
        // reminder. None for a sync that never runs again.
        if (DriftAudit is { } audit && Sync.DriftAuditHasOwnReminder(audit)) await this.RegisterOrUpdateReminder(DriftReminder, audit, audit);
        else await UnregisterAsync(DriftReminder);
        Sync.DriftReminderKnown = true;
        var next = Sync.NextCadenceSlot(DateTimeOffset.UtcNow);
        Sync.NextRunAt = next;
        if (next is null) return;
        await RegisterCadenceReminderAsync(next.Value);
    }

    private async Task AimCronReminderAsync()
    {
        if (Sync.NextRunAt is { } next) await RegisterCadenceReminderAsync(next);
        else
        {
            await ScheduleCadenceAsync();
            await WriteAsync();
        }
    }

    private async Task RegisterCadenceReminderAsync(DateTimeOffset next)
    {
        var due = next - DateTimeOffset.UtcNow;
        if (due < TimeSpan.Zero) due = TimeSpan.Zero;
        // A realtime sync's reminder sweeps often (its reconciliation is NextRunAt); a cron one is aimed at its next
        // time (CronTimes), any other's ticks at its slots.
        if (Sync.Cadence.IsRealtime) await this.RegisterOrUpdateReminder(CadenceReminder, Options.RealtimeSweep, Options.RealtimeSweep);
        else if (Sync.Cadence.IsCron) await this.RegisterOrUpdateReminder(CadenceReminder, CronTimes.Due(due), CronTimes.Fallback(Sync.Cadence.Period, Options.MinimumCadence));
        else await this.RegisterOrUpdateReminder(CadenceReminder, due, Sync.CadencePeriod!.Value);
    }

    private async Task UnregisterAsync(string name)
    {
        var reminder = await this.GetReminder(name);
        if (reminder is not null) await this.UnregisterReminder(reminder);
    }

    private Task WriteAsync() => _writes.WriteAsync();

    private CohortSyncState Require()
    {
        if (Sync.Exists) return Sync;
        var (projectId, syncId) = GrainKeys.Split(this.GetPrimaryKeyString());
        throw new CohortSyncException(ErrorCodes.UnknownSync, $"project {projectId} has no sync '{syncId}'");
    }

    /// <summary>The sync as the client sees it, with the live phase and counts of a run in progress here.</summary>
    private SyncInfo Info(CohortSyncState sync) =>
        sync.ToInfo(_slot.Tally is { } tally && RunActiveHere ? sync.ActiveRun! with { Phase = tally.Phase, Counts = tally.Snapshot() } : sync.ActiveRun,
            sync.QuotaWarning(Options.AmplitudeMonthlyDownloadQuota, DateTimeOffset.UtcNow));
}
