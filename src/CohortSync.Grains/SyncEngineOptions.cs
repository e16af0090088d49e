using CohortSync.Contracts;

namespace CohortSync.Grains;

/// <summary>Knobs of the run engine, bound from the <c>CohortSync:Engine</c> configuration section.</summary>
public sealed class SyncEngineOptions
{
    public const string Section = "CohortSync:Engine";

    /// <summary>The shortest cadence a sync may have (Amplitude's own fastest is one minute).</summary>
    public TimeSpan MinimumCadence { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a realtime sync looks for pushed changes nobody told it about (a silo died between storing a webhook
    /// batch and telling the sync): the bound on how late such a change reaches Iterable.
    /// </summary>
    public TimeSpan RealtimeSweep { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a realtime sync waits after the first notice of pushed changes before it applies them, so that a burst
    /// of small batches (Amplitude sends one per change set) becomes one run and few Iterable requests.
    /// </summary>
    public TimeSpan RealtimeCoalesce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an interrupted or failed one-time run is retried; also the crash-recovery tick of an active run.</summary>
    public TimeSpan GuardPeriod { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A sync whose next run is further off than this leaves memory when its run ends (its reminder activates it again
    /// from storage): idle syncs then cost their reminders only. Zero keeps every sync in memory until Orleans' own idle
    /// collection. Realtime syncs always stay.
    /// </summary>
    public TimeSpan RestAfterRunWhenIdleFor { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan AmplitudePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for Amplitude's cohort job before the run fails retryably.</summary>
    public TimeSpan AmplitudeJobTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public int BatchSize { get; set; } = 1000;

    /// <summary>
    /// How long a member Iterable refused (invalid, conflict, invalidData, forgotten) is left out of runs before it is
    /// sent again: the operator may have fixed the user in Iterable meanwhile. <c>sync run --retry-refused</c> does not wait.
    /// </summary>
    public TimeSpan RefusedCooldown { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Write requests one run keeps in flight to Iterable, each on its own members. Iterable answers a write in roughly
    /// 100–300 ms from a data center, so one at a time caps a run at 3–10 requests a second whatever the budget; the
    /// shared rate budget stays the ceiling.
    /// </summary>
    public int RequestsInFlight { get; set; } = 4;

    /// <summary>
    /// How long a lookup of an Iterable project's lists (<c>GET /api/lists</c>, every list of the project) answers
    /// "the list exists" for every run on that key. A deleted list is still noticed: the write's <c>invalidListId</c>
    /// makes the project look again, and the run recreates the list. Zero: every run looks (O(syncs²) on one key).
    /// </summary>
    public TimeSpan ListLookupMaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs kept in a sync's history.</summary>
    public int HistoryLimit { get; set; } = 50;

    /// <summary>429 answers to one request before the run gives up for now (failed-retryable). Waiting is the rate budget's.</summary>
    public int MaxRateLimitRetries { get; set; } = 50;

    /// <summary>Permits a run takes from its Iterable project's budget per grain call.</summary>
    public int PermitsPerLease { get; set; } = 2;

    /// <summary>Attempts on 400 invalidListId right after a list was created (Iterable is eventually consistent).</summary>
    public int NewListRetries { get; set; } = 5;

    public TimeSpan NewListRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Large runs one silo holds at once; more wait for a slot before they download (see <c>LargeRunSlots</c>).</summary>
    public int MaxConcurrentLargeRuns { get; set; } = 4;

    /// <summary>Cohort size (as Amplitude lists it) from which a run counts as large.</summary>
    public long LargeRunMembers { get; set; } = 200_000;

    /// <summary>Cohort downloads one project may have in flight across the cluster (Amplitude: 4 in parallel per app); 0: no limit.</summary>
    public int AmplitudeConcurrentDownloads { get; set; } = 4;

    /// <summary>Cohort downloads one project may start per <see cref="AmplitudeDownloadWindow"/> (Amplitude: 60 per 10 minutes); 0: no limit.</summary>
    public int AmplitudeDownloadsPerWindow { get; set; } = 60;

    public TimeSpan AmplitudeDownloadWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Amplitude cohort downloads a project may make in a month (500 on Growth and Enterprise plans). Every run makes
    /// one; a cadence or a project on course for more is warned about, never refused.
    /// </summary>
    public int AmplitudeMonthlyDownloadQuota { get; set; } = Core.Scheduling.DownloadQuota.AmplitudeDefault;

    /// <summary>
    /// How long a run keeps retrying a grain or database call that fails for a cluster fault (a dead silo, a broken
    /// connection) before it ends failed-retryable for the guard to resume. Outlasts a silo's death declaration with
    /// Orleans' production membership settings (about a minute).
    /// </summary>
    public TimeSpan ClusterRetryWindow { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Unreadable rows a cohort file may have before the run fails and sends nothing: this many, or
    /// <see cref="MaxMalformedFraction"/> of the rows if that is more. Below it the run sends its adds and holds its
    /// removals, since a member whose row could not be read may still be in the cohort.
    /// </summary>
    public long MaxMalformedRows { get; set; } = 100;

    /// <summary>See <see cref="MaxMalformedRows"/>: 0.001 is 0.1 % of the file's rows.</summary>
    public double MaxMalformedFraction { get; set; } = 0.001;

    /// <summary>
    /// getUsers and size requests the engine sends one Iterable project a minute, cluster-wide (Iterable: 5 each). Reads
    /// beyond it queue; they never fail on the limit.
    /// </summary>
    public int IterableListReadsPerMinute { get; set; } = 5;

    /// <summary>How often a sync compares its list's size in Iterable with its synced count, unless set per sync (<c>--drift-audit</c>).</summary>
    public TimeSpan DriftAuditPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Members the size may differ from the synced count before the audit schedules a reconcile: this many, or
    /// <see cref="DriftToleranceFraction"/> of the synced count if that is more. Iterable's counts lag a little behind writes.
    /// </summary>
    public long DriftToleranceMembers { get; set; }

    /// <summary>See <see cref="DriftToleranceMembers"/>: 0.001 is 0.1 % of the synced count.</summary>
    public double DriftToleranceFraction { get; set; } = 0.001;

    /// <summary>Whether a list of <paramref name="size"/> members against <paramref name="synced"/> synced ones is drift beyond the tolerance.</summary>
    public bool DriftBeyondTolerance(long size, long synced) =>
        Math.Abs(size - synced) > Math.Max(DriftToleranceMembers, (long)Math.Floor(synced * DriftToleranceFraction));

    /// <summary>The unreadable rows a file of <paramref name="rows"/> rows may have (see <see cref="MaxMalformedRows"/>).</summary>
    public long MalformedAllowance(long rows) => Math.Max(MaxMalformedRows, (long)Math.Floor(rows * MaxMalformedFraction));

    /// <summary>Why <paramref name="cadence"/> is refused here (it runs more often than <see cref="MinimumCadence"/>), or null.</summary>
    public string? RefusedCadence(Cadence cadence) =>
        cadence.IsRecurring && cadence.Period < MinimumCadence
            ? $"cadence '{cadence}' is shorter than this cluster's minimum of {Describe(MinimumCadence)}; choose a longer one"
            : null;

    private static string Describe(TimeSpan period) =>
        period.TotalMinutes >= 1 ? $"{period.TotalMinutes:0.##} minute(s)" : $"{period.TotalSeconds:0.##} second(s)";

    public IEnumerable<string> Problems()
    {
        if (MinimumCadence <= TimeSpan.Zero || GuardPeriod <= TimeSpan.Zero || AmplitudePollInterval <= TimeSpan.Zero || AmplitudeJobTimeout <= TimeSpan.Zero)
            yield return "MinimumCadence, GuardPeriod, AmplitudePollInterval and AmplitudeJobTimeout must be positive";
        if (RefusedCooldown < TimeSpan.Zero)
            yield return "RefusedCooldown must not be negative";
        if (BatchSize is < 1 or > 1000)
            yield return "BatchSize must be between 1 and 1000 (Iterable takes at most 1000 subscribers a request)";
        if (RequestsInFlight is < 1 or > DestinationLimits.MaxConcurrency)
            yield return $"RequestsInFlight must be between 1 and {DestinationLimits.MaxConcurrency}";
        if (HistoryLimit < 1 || MaxRateLimitRetries < 0 || PermitsPerLease < 1 || NewListRetries < 0 || NewListRetryDelay < TimeSpan.Zero)
            yield return "HistoryLimit and PermitsPerLease must be at least 1; retries and delays not negative";
        if (MaxConcurrentLargeRuns < 1 || LargeRunMembers < 1)
            yield return "MaxConcurrentLargeRuns and LargeRunMembers must be at least 1";
        if (AmplitudeConcurrentDownloads < 0 || AmplitudeDownloadsPerWindow < 0 || AmplitudeDownloadWindow <= TimeSpan.Zero || AmplitudeMonthlyDownloadQuota < 0)
            yield return "Amplitude download limits must not be negative (0: no limit) and the window must be positive";
        if (MaxMalformedRows < 0 || MaxMalformedFraction is < 0 or > 1)
            yield return "MaxMalformedRows must not be negative and MaxMalformedFraction must be between 0 and 1";
        if (IterableListReadsPerMinute < 1 || DriftAuditPeriod <= TimeSpan.Zero || DriftToleranceMembers < 0 || DriftToleranceFraction is < 0 or > 1)
            yield return "IterableListReadsPerMinute must be at least 1, DriftAuditPeriod positive, DriftToleranceMembers not negative and DriftToleranceFraction between 0 and 1";
        if (RestAfterRunWhenIdleFor < TimeSpan.Zero)
            yield return "RestAfterRunWhenIdleFor must not be negative (0: syncs stay in memory after their runs)";
        if (ClusterRetryWindow < TimeSpan.Zero)
            yield return "ClusterRetryWindow must not be negative";
        if (ListLookupMaxAge < TimeSpan.Zero)
            yield return "ListLookupMaxAge must not be negative (0: every run looks up the lists)";
    }
}
