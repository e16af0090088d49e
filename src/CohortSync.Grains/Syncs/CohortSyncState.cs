using CohortSync.Contracts;
using CohortSync.Core.Runs;
using CohortSync.Core.Scheduling;
using CohortSync.Grains.Runs;

namespace CohortSync.Grains.Syncs;

/// <summary>
/// A sync's durable state and the transitions between its states (DESIGN.md §3). Plain and unit-tested: the
/// grain decides when a transition happens and persists the result.
/// </summary>
[GenerateSerializer, Alias("cs.CohortSyncState")]
public sealed class CohortSyncState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string ProjectId { get; set; } = "";
    [Id(2)] public string SyncId { get; set; } = "";
    [Id(3)] public string CohortId { get; set; } = "";
    [Id(4)] public string? CohortName { get; set; }
    [Id(5)] public string DestinationId { get; set; } = "";
    // Id 6 held the cadence as a string before it was a type: retired, not reused (Cadence is Id 19).
    [Id(7)] public SyncState State { get; set; }
    [Id(8)] public string? StateReason { get; set; }
    [Id(9)] public long? ListId { get; set; }
    [Id(10)] public string? ListName { get; set; }
    [Id(11)] public long SyncedCount { get; set; }
    [Id(12)] public DateTimeOffset? NextRunAt { get; set; }
    /// <summary>The run in progress as last checkpointed; still set after a crash, which is how the next activation knows.</summary>
    [Id(13)] public RunRecord? ActiveRun { get; set; }
    /// <summary>Finished runs, newest last, bounded.</summary>
    [Id(14)] public List<RunRecord> History { get; set; } = [];
    [Id(15)] public long RunCounter { get; set; }
    [Id(16)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Paused by the engine because the destination's key was rejected; a new key resumes it.</summary>
    [Id(17)] public bool PausedByDestination { get; set; }
    /// <summary>The last run failed in a way the guard reminder retries within its period (a cluster fault, or a one-time sync).</summary>
    [Id(18)] public bool ResumeByGuard { get; set; }
    /// <summary>
    /// How often the sync runs. The JSON grain state keeps the canonical text under "Cadence", as it did when this was
    /// a string, so state written by either version reads in the other.
    /// </summary>
    [Id(19)] public Cadence Cadence { get; set; } = Cadence.Once;
    /// <summary>How many removals hold a run for an operator; null in state written before the guard: the default.</summary>
    [Id(20)] public RemovalGuard? Guard { get; set; }
    /// <summary>
    /// Removals an operator approved (<c>sync approve</c>): the next run may remove up to this many whatever the guard says.
    /// Kept until a run succeeds or is held again, so an approved run cut short resumes approved.
    /// </summary>
    [Id(21)] public long? ApprovedRemovals { get; set; }

    /// <summary>Pushed changes up to this position are in the list (realtime syncs; see <see cref="RunResult.ChangesCursor"/>).</summary>
    [Id(22)] public long ChangesCursor { get; set; }

    /// <summary>A realtime sync's own reconciliation interval (<c>--reconcile-every</c>); null: auto.</summary>
    [Id(23)] public TimeSpan? ReconcileEvery { get; set; }

    /// <summary>The interval the project gave the realtime syncs on auto, last it said.</summary>
    [Id(24)] public TimeSpan? AutoReconcile { get; set; }

    /// <summary>A committed member file (<c>sync upload</c>) the next run reads instead of downloading; cleared when that run succeeds.</summary>
    [Id(25)] public PendingUpload? Upload { get; set; }

    /// <summary>
    /// What a stopped sync still has to do with its list (<c>sync stop --list empty|delete</c>) until a stop run carries it
    /// out; null once done, and for a sync stopped with its list kept.
    /// </summary>
    [Id(30)] public ListOnStop? PendingStop { get; set; }

    /// <summary>The condition last alerted about (an <c>AlertKind</c>'s name), so each state change alerts once; null: nothing pending.</summary>
    [Id(32)] public string? AlertedState { get; set; }
    /// The next run reconciles: it reads the list's membership from Iterable and diffs the cohort against that. Set by
    /// <c>sync reconcile</c> and by a drift audit beyond the tolerance; kept until a reconcile succeeds (a held one is
    /// approved as a reconcile).
    /// </summary>
    [Id(40)] public bool ReconcileNext { get; set; }

    /// <summary>The drift audit's period (<c>--drift-audit</c>); null: the engine's default (daily); zero: off.</summary>
    [Id(41)] public TimeSpan? DriftAudit { get; set; }

    /// <summary>What the first run does with a list of its name that already exists.</summary>
    [Id(42)] public ListAdoption Adopt { get; set; }

    [Id(43)] public DateTimeOffset? LastDriftAuditAt { get; set; }

    /// <summary>What the last drift audit found, one sentence.</summary>
    [Id(44)] public string? LastDriftAudit { get; set; }

    /// <summary>
    /// <c>sync update --follow-rename</c> asked for: the next run leaves the sync's list as this says (kept, emptied,
    /// deleted; released whichever) and fills a new one under the cohort's current name. Cleared in the same write that
    /// stores the new list, so a run cut short before it repeats the move and one cut short after goes on with the new list.
    /// </summary>
    [Id(50)] public ListOnStop? PendingListMove { get; set; }

    /// <summary>
    /// The drift audit's reminder is settled: registered where the sync needs one of its own, known not needed where the
    /// audit follows its runs. A sync that rests between runs does not ask the reminder table again at every run.
    /// </summary>
    [Id(60)] public bool DriftReminderKnown { get; set; }

    /// <summary>
    /// Whether the drift audit needs a reminder of its own. Not when the sync's own ticks come at least as often as its
    /// audits are due: the audit then follows a run (or a realtime sweep) once it is due, and the sync keeps one
    /// reminder, not two (issue 9: each reminder costs the reminder service memory whether the sync is active or not).
    /// A cron sync's times are not a period apart, so it keeps its own.
    /// </summary>
    public bool DriftAuditHasOwnReminder(TimeSpan audit) =>
        !Cadence.IsRealtime && (Cadence.IsCron || CadencePeriod is not { } period || period > audit);

    /// <summary>Whether an audit is due: a period after the last one, or after the sync was started.</summary>
    public bool DriftAuditDue(TimeSpan audit, DateTimeOffset now) => (LastDriftAuditAt ?? CreatedAt) + audit <= now;

    /// <summary>The drift audit's period, <paramref name="fallback"/> unless set; null when it is off or the sync never runs again.</summary>
    public TimeSpan? DriftAuditPeriod(TimeSpan fallback) =>
        !IsRecurring || DriftAudit is { } off && off <= TimeSpan.Zero ? null : DriftAudit ?? fallback;

    /// <summary>How often a run downloads the cohort: each cadence slot, or for a realtime sync its reconciliation interval.</summary>
    public TimeSpan DownloadPeriod => Cadence.IsRealtime ? ReconcileEvery ?? AutoReconcile ?? Cadence.Period : Cadence.Period;

    public RemovalGuard RemovalGuard => Guard ?? RemovalGuard.Default;

    /// <summary>The cohort's name (as the last run read it) no longer gives the name of the list the sync writes.</summary>
    public bool CohortRenamed => ListName is { } list && CohortName is { } cohort && ListNaming.IsRenamed(list, cohort, CohortId, SyncId);

    /// <summary>What a run resumed by the guard reads: what the run it resumes read.</summary>
    public RunSource ResumeSource => ActiveRun?.Source ?? LastRun?.Source ?? RunSource.Download;

    public RunRecord? LastRun => History.Count > 0 ? History[^1] : null;

    public string Key => GrainKeys.Sync(ProjectId, SyncId);

    public bool IsRecurring => Cadence.IsRecurring;

    /// <summary>The cadence's period, or null for a one-time sync (for a cron cadence, its shortest gap).</summary>
    public TimeSpan? CadencePeriod => Cadence.IsRecurring ? Cadence.Period : null;

    /// <summary>How many run times <see cref="ToInfo"/> shows ahead.</summary>
    public const int NextRunsShown = 3;

    public void RequireRunnable()
    {
        RequireNotStopped("; start a new one");
        if (State is SyncState.Paused)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {SyncId} is paused ({StateReason}); resume it first");
    }

    /// <summary>The operator sends the held run: the next run may remove as many members as it would have.</summary>
    public void Approve()
    {
        RequireHeld("approve");
        ApprovedRemovals = LastRun!.Counts.PlannedRemoves;
        (State, StateReason) = (SyncState.Scheduled, null);
    }

    /// <summary>The operator discards the held run: the list stays as it is and the sync pauses until it is resumed.</summary>
    public void Reject()
    {
        RequireHeld("reject");
        ApprovedRemovals = null;
        Pause($"held run #{LastRun!.RunNumber} rejected by the operator; the list was kept as it is. Resume the sync once the cohort is right");
    }

    /// <summary>A repeated reject (its answer lost) finds the sync already paused for it: nothing to do.</summary>
    public bool Rejected => State is SyncState.Paused && LastRun?.Outcome == RunOutcome.Held;

    private void RequireHeld(string verb)
    {
        RequireNotStopped();
        if (State is not SyncState.Held || LastRun?.Outcome != RunOutcome.Held)
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {SyncId} has no held run to {verb} (it is {State.ToString().ToLowerInvariant()})");
    }

    public void RequireNotStopped(string hint = "")
    {
        if (State is SyncState.Stopped) throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {SyncId} is stopped{hint}");
    }

    public CohortSyncState RequirePreviewable()
    {
        RequireNotStopped("; there is no next run to preview");
        if (ActiveRun is not null)
            throw new CohortSyncException(ErrorCodes.InvalidState,
                $"sync {SyncId} has run #{ActiveRun.RunNumber} in progress; preview once it has finished (cohortsync sync wait)");
        return this;
    }

    /// <summary>The run found or made its list: checkpoint it before anything is pushed to it.</summary>
    public void ListReady(long listId, string listName, RunPhase phase, RunCounts counts)
    {
        if (PendingListMove is not null && ActiveRun?.LeftList is not null) PendingListMove = null;
        ListId = listId;
        ListName = listName;
        Checkpoint(phase, counts);
    }

    /// <summary>Where the run in progress stands, to be persisted.</summary>
    public void Checkpoint(RunPhase phase, RunCounts counts) => ActiveRun = ActiveRun! with { Phase = phase, Counts = counts };

    public void Configure(SyncConfig config, DateTimeOffset now)
    {
        Exists = true;
        ProjectId = config.ProjectId;
        SyncId = config.SyncId;
        CohortId = config.CohortId;
        CohortName = config.CohortName;
        DestinationId = config.DestinationId;
        Cadence = config.Cadence;
        Guard = config.Guard ?? RemovalGuard.Default;
        (ReconcileEvery, AutoReconcile) = (config.ReconcileEvery, config.AutoReconcile);
        (DriftAudit, Adopt) = (config.DriftAudit, config.Adopt);
        State = SyncState.Scheduled;
        CreatedAt = now;
    }

    public SyncInfo ToInfo(RunRecord? activeRun, string? warning) =>
        new(ProjectId, SyncId, CohortId, CohortName, DestinationId, Cadence.ToString(), State, StateReason,
            ListId, ListName, SyncedCount, NextRunAt, LastRun, activeRun, CreatedAt, warning)
        {
            Guard = RemovalGuard.ToString(),
            Reconcile = Cadence.IsRealtime ? $"{ReconcilePlan.Describe(DownloadPeriod)}{(ReconcileEvery is null ? " (auto)" : "")}" : null,
            DriftAudit = IsRecurring ? DriftAuditText.Describe(DriftAudit) : "off",
            LastDriftAuditAt = LastDriftAuditAt,
            LastDriftAudit = LastDriftAudit,
            ReconcilePending = ReconcileNext,
            Adopt = Adopt == ListAdoption.Keep ? "keep" : "reconcile",
            NextRuns = NextRuns(NextRunsShown),
            CohortRenamed = CohortRenamed,
        };

    /// <summary>
    /// <see cref="NextRunAt"/> and the cadence's times after it, <paramref name="count"/> in all: a cron cadence's
    /// firings in its zone, another's slots a period apart (a realtime sync's reconciliations).
    /// </summary>
    public IReadOnlyList<DateTimeOffset> NextRuns(int count)
    {
        if (NextRunAt is not { } first || count < 1) return [];
        if (Cadence.Schedule is { } schedule) return [first, .. schedule.Next(first, count - 1)];
        return [.. Enumerable.Range(0, count).Select(k => first + k * DownloadPeriod)];
    }

    /// <summary>The newest <paramref name="limit"/> finished runs (1–1000), newest first.</summary>
    public IReadOnlyList<RunRecord> Recent(int limit) => [.. History.AsEnumerable().Reverse().Take(Math.Clamp(limit, 1, 1000))];

    public void Record(RunRecord run, int limit)
    {
        History.Add(run);
        if (History.Count > limit) History.RemoveRange(0, History.Count - limit);
    }

    /// <summary>
    /// Starts run number <c>RunCounter + 1</c>. A run still marked active was cut short (its silo died, or the
    /// activation went away): it is recorded as failed-retryable first, and the new run resumes from its checkpoints.
    /// </summary>
    public RunRecord BeginRun(string trigger, DateTimeOffset now, int historyLimit, RunSource source = RunSource.Download, bool retryRefused = false)
    {
        // A resumed run goes on as the run it resumes was asked for.
        retryRefused |= ActiveRun?.RetryRefused ?? false;
        if (ActiveRun is { } interrupted)
        {
            Record(interrupted with
            {
                Outcome = RunOutcome.FailedRetryable,
                Reason = interrupted.Reason ?? "interrupted: the silo running it stopped or lost its database; resumed from the checkpoint",
                FinishedAt = now,
            }, historyLimit);
        }
        // A stopped sync runs only to carry out its stop's list action, and stays stopped meanwhile.
        var stop = State is SyncState.Stopped ? PendingStop : null;
        // A run that moves to a new list fills it with the whole cohort: a download (or a member file), never an apply of changes.
        var move = stop is null ? PendingListMove : null;
        if (move is not null && source == RunSource.Webhook) source = RunSource.Download;
        ActiveRun = new RunRecord(++RunCounter, trigger, now, null, RunOutcome.Running, null, RunPhase.Starting, new RunCounts())
        { Source = source, Stop = stop, RetryRefused = retryRefused, LeftList = move };
        if (stop is null) (State, StateReason) = (SyncState.Running, null);
        else StateReason = $"stopped by the operator; {(stop == ListOnStop.Empty ? "emptying" : "deleting")} the Iterable list";
        return ActiveRun;
    }

    /// <summary>
    /// Records how <paramref name="run"/> ended and where that leaves the sync: a rejected key pauses it for the
    /// destination; a sync paused or stopped meanwhile stays so; otherwise success schedules the next run (or ends a
    /// one-time sync), cancellation schedules, and failure says why until the next run. A failure of the cluster
    /// (or of a one-time sync) is left to the guard, whatever the cadence.
    /// </summary>
    public void FinishRun(RunRecord run, RunEnd end, RunPhase phase, RunCounts counts, DateTimeOffset now, int historyLimit)
    {
        var (outcome, reason, result) = (end.Outcome, end.Reason, end.Result);
        // A stop's list action that failed for a reason that may pass is the guard's to carry out, like a one-time sync.
        ResumeByGuard = outcome == RunOutcome.FailedRetryable && (end.Kind == FailureKind.Transient || !IsRecurring || run.Stop is not null);
        if (outcome is RunOutcome.Succeeded or RunOutcome.Held) ApprovedRemovals = null;
        if (outcome == RunOutcome.Succeeded && result?.Reconciled == true) ReconcileNext = false;
        if (outcome == RunOutcome.Succeeded && result?.ChangesCursor is long cursor) ChangesCursor = Math.Max(ChangesCursor, cursor);
        if (outcome == RunOutcome.Succeeded && run.Source == RunSource.Upload && Upload?.UploadId == result?.UploadId) Upload = null;
        // A held run never reached the list: what it knows of the list is what the sync knew.
        if (result is not null && outcome != RunOutcome.Held)
        {
            CohortName = result.CohortName;
            ListId = result.ListId;
            ListName = result.ListName ?? ListName; // an apply with nothing to send never looked the list up
            SyncedCount = result.SyncedCount;
        }
        ActiveRun = null;
        Record(run with
        {
            FinishedAt = now,
            Outcome = outcome,
            Reason = reason,
            // A run that failed while recording stays where it stopped: only a run that ended well got to the end.
            Phase = phase == RunPhase.Recording && outcome is RunOutcome.Succeeded or RunOutcome.Held ? RunPhase.Finished : phase,
            Counts = counts,
        }, historyLimit);

        if (run.Stop is { } stop)
        {
            // Stopped it stays, whatever happened to the list; the reason says what the list holds now.
            if (outcome == RunOutcome.Succeeded) PendingStop = null;
            StateReason = outcome == RunOutcome.Succeeded
                ? $"stopped by the operator; the Iterable list was {(stop == ListOnStop.Empty ? "emptied" : "deleted")}"
                : $"stopped by the operator; the Iterable list could not be {(stop == ListOnStop.Empty ? "emptied" : "deleted")} ({reason}); "
                    + (ResumeByGuard ? "it is tried again shortly" : $"fix that and run 'cohortsync sync stop --list {stop.ToString().ToLowerInvariant()}' again");
        }
        else if (end.KeyRejected)
        {
            PauseForDestination(reason ?? "Iterable rejected the destination's API key");
        }
        else if (outcome == RunOutcome.Held && State is SyncState.Running)
        {
            (State, StateReason) = (SyncState.Held, reason);
        }
        else if (State is SyncState.Running)
        {
            (State, StateReason) = outcome switch
            {
                RunOutcome.Succeeded => (IsRecurring ? SyncState.Scheduled : SyncState.Done, (string?)null),
                RunOutcome.Cancelled => (SyncState.Scheduled, null),
                _ => (SyncState.Failed, reason),
            };
        }
        NextRunAt = NextCadenceSlot(now);
    }

    /// <summary>The drift audit compared the list's size in Iterable with the synced count; a drift beyond the tolerance makes the next run a reconcile.</summary>
    public void DriftAudited(long size, bool beyondTolerance, DateTimeOffset now)
    {
        LastDriftAuditAt = now;
        LastDriftAudit = beyondTolerance
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the list has {size:N0} members in Iterable but {SyncedCount:N0} were synced; a reconcile was scheduled")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the list has {size:N0} members in Iterable against {SyncedCount:N0} synced: within the tolerance");
        if (beyondTolerance) ReconcileNext = true;
    }

    public void Pause(string reason)
    {
        State = SyncState.Paused;
        StateReason = reason;
        NextRunAt = null;
    }

    public void PauseForDestination(string reason)
    {
        Pause(reason);
        PausedByDestination = true;
    }

    public void Resume()
    {
        State = SyncState.Scheduled;
        StateReason = null;
        PausedByDestination = false;
    }

    /// <summary>
    /// Stops the sync for good. With the list kept, the stop is recorded in the history at once; emptying or deleting
    /// it is left pending for the stop run the grain starts (<see cref="BeginRun"/>), which records it when it ends.
    /// </summary>
    public void Stop(string reason, ListOnStop list = ListOnStop.Keep, DateTimeOffset? now = null, int historyLimit = 100)
    {
        State = SyncState.Stopped;
        StateReason = reason;
        ApprovedRemovals = null;
        NextRunAt = null;
        Upload = null;
        PendingStop = list == ListOnStop.Keep ? null : list;
        if (list != ListOnStop.Keep || now is not { } at) return;
        Record(new RunRecord(++RunCounter, "stop", at, at, RunOutcome.Succeeded, "stopped by the operator; the Iterable list was kept as it is",
            RunPhase.Finished, new RunCounts())
        { Stop = ListOnStop.Keep }, historyLimit);
    }

    /// <summary>
    /// Whether <c>sync stop --list <paramref name="list"/></c> on a sync already stopped has anything left to do: only a
    /// pending list action asked again. A list kept, emptied or deleted is never touched again; asking for anything else
    /// is refused.
    /// </summary>
    public bool StopAgainNeedsRun(ListOnStop list)
    {
        if (PendingStop == list) return true;
        if (list == ListOnStop.Keep && PendingStop is null) return false;
        var done = History.LastOrDefault(r => r.Stop is not null && r.Outcome == RunOutcome.Succeeded)?.Stop;
        if (done == list) return false;
        throw new CohortSyncException(ErrorCodes.InvalidState, PendingStop is { } pending
            ? $"sync {SyncId} is stopped and its list is being {(pending == ListOnStop.Empty ? "emptied" : "deleted")}; that cannot be changed now"
            : $"sync {SyncId} is stopped and its list was {Past(done ?? ListOnStop.Keep)}; a stopped sync's list is not touched again");
    }

    private static string Past(ListOnStop list) => list switch { ListOnStop.Empty => "emptied", ListOnStop.Delete => "deleted", _ => "kept as it was" };

    /// <summary>When the cadence runs the sync next: its slot (spread by the sync's key) after <paramref name="now"/>, or null.</summary>
    public DateTimeOffset? NextCadenceSlot(DateTimeOffset now)
    {
        if (State is SyncState.Paused or SyncState.Stopped or SyncState.Done or SyncState.Held) return null;
        // The operator chose a cron's minutes: no spread by sync.
        if (Cadence.Schedule is { } schedule) return schedule.NextAfter(now);
        return Cadence.IsRecurring ? CadenceSpread.NextSlotAfter(Key, DownloadPeriod, now) : null;
    }

    /// <summary>A live sync whose cadence alone needs more Amplitude downloads a month than <paramref name="quota"/>.</summary>
    public string? QuotaWarning(int quota, DateTimeOffset now) => State is SyncState.Stopped or SyncState.Done ? null
        : Cadence.IsRealtime ? DownloadQuota.CadenceWarning($"realtime reconciling {ReconcilePlan.Describe(DownloadPeriod)}", DownloadQuota.PerMonth(DownloadPeriod), quota)
        : DownloadQuota.CadenceWarning(Cadence.ToString(), Cadence.DownloadsPerMonth(now), quota);
}

/// <summary>A committed upload: its id in the upload store and how many identifiers it holds.</summary>
[GenerateSerializer, Immutable, Alias("cs.PendingUpload")]
public sealed record PendingUpload(
    [property: Id(0)] string UploadId,
    [property: Id(1)] long Members,
    [property: Id(2)] DateTimeOffset CommittedAt);
