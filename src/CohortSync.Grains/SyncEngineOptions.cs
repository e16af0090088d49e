namespace CohortSync.Grains;

/// <summary>Knobs of the run engine, bound from the <c>CohortSync:Engine</c> configuration section.</summary>
public sealed class SyncEngineOptions
{
    public const string Section = "CohortSync:Engine";

    /// <summary>The shortest cadence a sync may have (Amplitude's own fastest is one minute).</summary>
    public TimeSpan MinimumCadence { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often an interrupted or failed one-time run is retried; also the crash-recovery tick of an active run.</summary>
    public TimeSpan GuardPeriod { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan AmplitudePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for Amplitude's cohort job before the run fails retryably.</summary>
    public TimeSpan AmplitudeJobTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public int BatchSize { get; set; } = 1000;

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
}
