namespace CohortSync.Contracts;

/// <summary>Start syncing a cohort to a destination's list at a cadence the client has already parsed.</summary>
[GenerateSerializer, Immutable, Alias("cs.StartSyncRequest")]
public sealed record StartSyncRequest(
    [property: Id(0)] string CohortId,
    [property: Id(1)] string DestinationId,
    [property: Id(3)] Cadence Cadence)
{
    /// <summary>
    /// For code that holds a cadence it wrote itself as text (test harnesses, load scripts): parsed here, and a bad one
    /// throws <see cref="FormatException"/>. A person's input goes through <see cref="Contracts.Cadence.TryParse"/> for its message.
    /// </summary>
    public StartSyncRequest(string cohortId, string destinationId, string cadence)
        : this(cohortId, destinationId, Contracts.Cadence.Parse(cadence))
    {
    }

    /// <summary>
    /// The cadence as text, the only form clients and silos before <see cref="Contracts.Cadence"/> send and read:
    /// kept filled so either side may be the older one.
    /// </summary>
    [Id(2)] public string? CadenceText { get; init; } = Cadence.ToString();

    /// <summary>The sync's removal guard (<c>--guard</c>); null: <see cref="RemovalGuard.Default"/>.</summary>
    [Id(4)] public RemovalGuard? Guard { get; init; }

    /// <summary>A realtime sync's reconciliation interval (<c>--reconcile-every</c>); null: auto.</summary>
    [Id(5)] public TimeSpan? ReconcileEvery { get; init; }

    /// <summary>How often the list's size is checked against the synced count (<c>--drift-audit</c>); null: the engine's default (daily); zero: off.</summary>
    [Id(40)] public TimeSpan? DriftAudit { get; init; }

    /// <summary>A list of that name already in Iterable: <see cref="ListAdoption.Reconcile"/> (default) or only add to it.</summary>
    [Id(41)] public ListAdoption Adopt { get; init; }

    /// <summary>The cadence asked for; from <see cref="CadenceText"/> when an older client sent only that.</summary>
    public bool TryGetCadence(out Cadence cadence, out string error)
    {
        // Absent from an older client's request, whatever the annotation says.
        // A cron cadence is read again here: its zone must exist on the silo too, and its period is the silo's to work out.
        if (Cadence is { IsCron: true }) return Contracts.Cadence.TryParse(Cadence.ToString(), out cadence, out error);
        if (Cadence is not null)
        {
            (cadence, error) = (Cadence, "");
            return true;
        }
        return Contracts.Cadence.TryParse(CadenceText, out cadence, out error);
    }
}

/// <summary>What a sync's first run does with a list of its name that already exists in Iterable.</summary>
[GenerateSerializer, Alias("cs.ListAdoption")]
public enum ListAdoption
{
    /// <summary>Reads its members and makes it equal to the cohort: members not in the cohort are removed (the guard applies).</summary>
    Reconcile = 0,
    /// <summary>Only adds the cohort's members; whatever else the list holds stays (<c>--adopt keep</c>).</summary>
    Keep = 1,
}

/// <summary>The drift audit's period as text: <c>off</c>, <c>daily</c>, or hours (<c>6h</c>).</summary>
public static class DriftAuditText
{
    public static string Describe(TimeSpan? period) => period switch
    {
        null => "daily",
        { } p when p <= TimeSpan.Zero => "off",
        { } p when p == TimeSpan.FromDays(1) => "daily",
        { } p => $"{p.TotalHours:0.##}h",
    };

    /// <summary>Parses <c>off</c>, <c>daily</c> or <c>N h</c> (1–720); the error is one sentence for a person.</summary>
    public static bool TryParse(string? text, out TimeSpan? period, out string error)
    {
        (period, error) = (null, "");
        var t = text?.Trim().ToLowerInvariant();
        if (t is "off") period = TimeSpan.Zero;
        else if (t is "daily") period = TimeSpan.FromDays(1);
        else if (t is { Length: > 1 } && t.EndsWith('h') && int.TryParse(t[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hours) && hours is >= 1 and <= 720)
            period = TimeSpan.FromHours(hours);
        else
        {
            error = $"drift audit '{text}' is not off, daily or a number of hours from 1h to 720h";
            return false;
        }
        return true;
    }
}

[GenerateSerializer, Alias("cs.SyncState")]
public enum SyncState
{
    /// <summary>Waiting for its next cadence tick.</summary>
    Scheduled = 0,
    Running = 1,
    /// <summary>Paused by the operator or by the engine (e.g. the destination's key was rejected).</summary>
    Paused = 2,
    /// <summary>The last run failed; the next tick tries again.</summary>
    Failed = 3,
    /// <summary>A one-time sync that completed.</summary>
    Done = 4,
    Stopped = 5,
    /// <summary>
    /// Its last run would have removed more than the removal guard allows and was held with nothing sent: no run is
    /// scheduled until an operator approves (<c>sync approve</c>) or rejects (<c>sync reject</c>) it.
    /// </summary>
    Held = 6,
}

[GenerateSerializer, Alias("cs.RunOutcome")]
public enum RunOutcome
{
    Running = 0,
    Succeeded = 1,
    /// <summary>Failed for a reason that may pass (network, Iterable 5xx, Amplitude job); the next run resumes from the checkpoint.</summary>
    FailedRetryable = 2,
    /// <summary>Failed for a reason that needs a person (bad key, unknown cohort, unreadable file).</summary>
    Failed = 3,
    Cancelled = 4,
    /// <summary>Would have removed more than the sync's removal guard allows: nothing was sent; an operator decides.</summary>
    Held = 5,
}

[GenerateSerializer, Alias("cs.RunPhase")]
public enum RunPhase
{
    Starting = 0,
    ReadingCohort = 1,
    Diffing = 2,
    PreparingList = 3,
    Pushing = 4,
    Recording = 5,
    Finished = 6,
    /// <summary>A large run waiting for one of its silo's slots (CohortSync:Engine:MaxConcurrentLargeRuns) before it downloads.</summary>
    WaitingForSlot = 7,
    /// <summary>Waiting for the project's Amplitude download limits (a few at once, so many per ten minutes).</summary>
    WaitingForAmplitude = 8,
}

/// <summary>One run of a sync: what was read, what was sent, what Iterable said.</summary>
[GenerateSerializer, Immutable, Alias("cs.RunRecord")]
public sealed record RunRecord(
    [property: Id(0)] long RunNumber,
    [property: Id(1)] string Trigger,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] DateTimeOffset? FinishedAt,
    [property: Id(4)] RunOutcome Outcome,
    [property: Id(5)] string? Reason,
    [property: Id(6)] RunPhase Phase,
    [property: Id(7)] RunCounts Counts)
{
    /// <summary>Where the run's members came from: a cohort download, or the changes Amplitude pushed (realtime syncs).</summary>
    [Id(8)] public RunSource Source { get; init; }

    /// <summary>Members Iterable refused before were sent again, their cooldown or not (<c>sync run --retry-refused</c>).</summary>
    [Id(31)] public bool RetryRefused { get; init; }

    /// <summary>Set on the entry <c>sync stop</c> records: what it did with the list (kept, emptied, deleted).</summary>
    [Id(30)] public ListOnStop? Stop { get; init; }

    /// <summary>
    /// Set on a run that followed a renamed cohort (<c>sync update --follow-rename</c>): before filling a new list under
    /// the cohort's current name it kept, emptied or deleted the old one, and released it.
    /// </summary>
    [Id(50)] public ListOnStop? LeftList { get; init; }
}

/// <summary>How <c>sync run</c> starts a run.</summary>
[GenerateSerializer, Immutable, Alias("cs.RunNowRequest")]
public sealed record RunNowRequest
{
    /// <summary>Send the members Iterable refused before again now, instead of after their cooldown.</summary>
    [Id(0)] public bool RetryRefused { get; init; }
}

/// <summary>One page of a sync's refused members (<c>sync refused</c>), in ordinal order; <see cref="Next"/> continues it.</summary>
[GenerateSerializer, Immutable, Alias("cs.RefusedPage")]
public sealed record RefusedPage(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string SyncId,
    [property: Id(2)] long Total,
    [property: Id(3)] IReadOnlyList<RefusedMemberInfo> Members,
    [property: Id(4)] string? Next);

/// <summary>A member Iterable refused: its reason as Iterable named it, when, and from when a run sends it again.</summary>
[GenerateSerializer, Immutable, Alias("cs.RefusedMemberInfo")]
public sealed record RefusedMemberInfo(
    [property: Id(0)] string Member,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset RefusedAt,
    [property: Id(3)] DateTimeOffset RetryAfter);

/// <summary>What <c>sync stop</c> does with the sync's Iterable list (<c>--list</c>); whichever it is, the list is not touched again after.</summary>
[GenerateSerializer, Alias("cs.ListOnStop")]
public enum ListOnStop
{
    /// <summary>The list stays as it is (the default).</summary>
    Keep = 0,
    /// <summary>Every member the sync put in the list is unsubscribed from it; the list itself stays.</summary>
    Empty = 1,
    /// <summary>The list is deleted in Iterable and the synced set forgotten.</summary>
    Delete = 2,
}

[GenerateSerializer, Alias("cs.RunSource")]
public enum RunSource
{
    /// <summary>The whole cohort, downloaded from Amplitude (one download against the monthly quota).</summary>
    Download = 0,
    /// <summary>Changes pushed by Amplitude's cohort webhook since the sync's last run, applied to the synced set (no download).</summary>
    Webhook = 1,
    /// <summary>A member file from <c>sync upload</c>, instead of a download.</summary>
    Upload = 2,
}

[GenerateSerializer, Immutable, Alias("cs.RunCounts")]
public sealed record RunCounts
{
    /// <summary>Data rows in the cohort file.</summary>
    [Id(0)] public long CohortRows { get; init; }
    /// <summary>Rows without a value for the mapped identifier (not sent).</summary>
    [Id(1)] public long Skipped { get; init; }
    /// <summary>Values Iterable would reject (blank, padded, too long, non-printable); never sent.</summary>
    [Id(2)] public long Invalid { get; init; }
    /// <summary>Rows that could not be parsed (wrong field count).</summary>
    [Id(3)] public long Malformed { get; init; }
    /// <summary>Distinct identifiers the list should hold after the run.</summary>
    [Id(4)] public long Desired { get; init; }
    [Id(5)] public long PlannedAdds { get; init; }
    [Id(6)] public long PlannedRemoves { get; init; }
    /// <summary>Members Iterable acknowledged as added.</summary>
    [Id(7)] public long Added { get; init; }
    /// <summary>Members Iterable acknowledged as removed (including "not found": already gone).</summary>
    [Id(8)] public long Removed { get; init; }
    /// <summary>Members Iterable refused, by reason (invalid, conflict, invalidData, forgotten, notFound).</summary>
    // Concrete collection types: the JSON grain-state serializer would otherwise record the runtime type,
    // and Orleans' type allow-list refuses compiler-generated collection types when reading it back.
    [Id(9)] public Dictionary<string, long> Rejected { get; init; } = [];
    /// <summary>A bounded sample of refused identifiers.</summary>
    [Id(10)] public List<string> RejectedSample { get; init; } = [];
    [Id(11)] public int Requests { get; init; }
    [Id(12)] public int Retries { get; init; }
    /// <summary>
    /// Cohort members not sent because Iterable refused them in an earlier run (invalid, conflict, invalidData,
    /// forgotten). They stay out until they leave the cohort; a changed identifier is a new member and is sent.
    /// </summary>
    [Id(13)] public long HeldBack { get; init; }
    /// <summary>
    /// Removals not sent because some rows of the cohort file could not be read, so who left is not known; they stay in
    /// the synced set and the next cleanly read file sends them.
    /// </summary>
    [Id(14)] public long HeldRemovals { get; init; }

    /// <summary>
    /// A reconcile's drift (null for any other run): members Iterable listed that the synced set did not have (added by
    /// hand, left by another tool) — removed when the cohort does not hold them.
    /// </summary>
    [Id(40)] public long? Extra { get; init; }
    /// <summary>A reconcile's drift: members of the synced set Iterable no longer listed (removed by hand) — added back when the cohort holds them.</summary>
    [Id(41)] public long? Missing { get; init; }

    // Where the run's time went, in milliseconds (ids from 20 up leave room for the counts above).
    /// <summary>Waiting for Amplitude's cohort job to be ready: Amplitude's time, not the engine's.</summary>
    [Id(20)] public long AmplitudeWaitMs { get; init; }
    /// <summary>Reading the cohort (request, download, parse, map, sort), the job wait excluded.</summary>
    [Id(21)] public long ReadMs { get; init; }
    /// <summary>Loading the synced set and computing the difference.</summary>
    [Id(22)] public long DiffMs { get; init; }
    /// <summary>Finding or creating the list and pushing the batches.</summary>
    [Id(23)] public long PushMs { get; init; }
    /// <summary>Folding the acknowledged batches into the synced set and checkpointing it.</summary>
    [Id(24)] public long RecordMs { get; init; }

    public long RejectedTotal => Rejected.Values.Sum();
}

/// <summary>
/// A sync as the client sees it. <see cref="Warning"/> says why it may not run as asked (a cadence that needs more
/// Amplitude downloads a month than the quota allows), or is null.
/// </summary>
[GenerateSerializer, Immutable, Alias("cs.SyncInfo")]
public sealed record SyncInfo(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string SyncId,
    [property: Id(2)] string CohortId,
    [property: Id(3)] string? CohortName,
    [property: Id(4)] string DestinationId,
    [property: Id(5)] string Cadence,
    [property: Id(6)] SyncState State,
    [property: Id(7)] string? StateReason,
    [property: Id(8)] long? ListId,
    [property: Id(9)] string? ListName,
    [property: Id(10)] long SyncedCount,
    [property: Id(11)] DateTimeOffset? NextRunAt,
    [property: Id(12)] RunRecord? LastRun,
    [property: Id(13)] RunRecord? ActiveRun,
    [property: Id(14)] DateTimeOffset CreatedAt,
    [property: Id(15)] string? Warning = null)
{
    /// <summary>The removal guard, canonical text (<c>20%</c>, <c>10%,500</c>, <c>off</c>).</summary>
    [Id(16)] public string? Guard { get; init; }

    /// <summary>A realtime sync's reconciliation download, as people read it ("every 4 days (auto)"); null for any other sync.</summary>
    [Id(17)] public string? Reconcile { get; init; }

    /// <summary>The drift audit (<c>--drift-audit</c>): <c>daily</c>, <c>6h</c>, <c>off</c>.</summary>
    [Id(40)] public string? DriftAudit { get; init; }

    /// <summary>The last drift audit: when, and what it found ("size 1,020, synced 1,000: reconcile scheduled").</summary>
    [Id(41)] public DateTimeOffset? LastDriftAuditAt { get; init; }
    [Id(42)] public string? LastDriftAudit { get; init; }

    /// <summary>The next run reconciles (reads the list's membership from Iterable first).</summary>
    [Id(43)] public bool ReconcilePending { get; init; }

    /// <summary>What the first run does with a list of that name that already exists: <c>reconcile</c> or <c>keep</c> (<c>--adopt</c>).</summary>
    [Id(44)] public string? Adopt { get; init; }

    /// <summary>The next three times the cadence runs the sync (UTC), the first being <see cref="NextRunAt"/>; empty when none is planned.</summary>
    [Id(50)] public IReadOnlyList<DateTimeOffset> NextRuns { get; init; } = [];

    /// <summary>
    /// The cohort was renamed in Amplitude after its list was made: the list keeps its old name
    /// (<see cref="ListName"/>) until <c>sync update --follow-rename</c> moves the sync to a list under the new one.
    /// </summary>
    [Id(51)] public bool CohortRenamed { get; init; }
}

/// <summary>
/// What the next run of a sync would send, as <c>sync preview</c> computed it: the cohort as Amplitude has it
/// now against the members Iterable has acknowledged. Samples are the first identifiers in ordinal order.
/// </summary>
[GenerateSerializer, Immutable, Alias("cs.SyncPreview")]
public sealed record SyncPreview(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string SyncId,
    [property: Id(2)] string CohortId,
    [property: Id(3)] string CohortName,
    [property: Id(4)] long? ListId,
    [property: Id(5)] string? ListName,
    [property: Id(6)] long Synced,
    [property: Id(7)] long CohortRows,
    [property: Id(8)] long Desired,
    [property: Id(9)] long Skipped,
    [property: Id(10)] long Invalid,
    [property: Id(11)] long HeldBack,
    [property: Id(12)] long Adds,
    [property: Id(13)] long Removes,
    [property: Id(14)] IReadOnlyList<string> SampleAdds,
    [property: Id(15)] IReadOnlyList<string> SampleRemoves)
{
    /// <summary>The next run would remove more than the guard allows, so it would be held with nothing sent.</summary>
    [Id(16)] public bool WouldBeHeld { get; init; }

    /// <summary>The removal guard, canonical text.</summary>
    [Id(17)] public string? Guard { get; init; }

    /// <summary>
    /// A reconcile preview (<c>sync reconcile --dry-run</c>): the drift between the list as Iterable lists it and the
    /// synced set (<see cref="RunCounts.Extra"/>, <see cref="RunCounts.Missing"/>); adds and removes are then against
    /// the list's real membership. Null for a plain preview, or when the sync has no list yet.
    /// </summary>
    [Id(40)] public long? Extra { get; init; }
    [Id(41)] public long? Missing { get; init; }

    /// <summary>Members the list has in Iterable now (reconcile preview only).</summary>
    [Id(42)] public long? Listed { get; init; }
}
