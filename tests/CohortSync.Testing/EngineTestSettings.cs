namespace CohortSync.Testing;

/// <summary>Silo settings for tests: cadences and reminders down to a second, tiny retry delays, Amplitude unpaced, quiet logs.</summary>
public static class EngineTestSettings
{
    /// <summary>Engine settings for tests: short cadences allowed, tiny retry delays.</summary>
    public static string[] FastArgs =>
    [
        "--minimum-reminder-period", "00:00:01",
        "--CohortSync:Engine:MinimumCadence=00:00:01",
        "--CohortSync:Engine:GuardPeriod=00:00:02",
        "--CohortSync:Engine:AmplitudePollInterval=00:00:00.010",
        "--CohortSync:RateBudget:StartPerSecond=200",
        "--CohortSync:RateBudget:MaxPerSecond=1000",
        "--CohortSync:RateBudget:RateLimitPause=00:00:00.020",
        "--CohortSync:Engine:NewListRetryDelay=00:00:00.050",
        "--CohortSync:Iterable:BaseDelay=00:00:00.010",
        "--CohortSync:Iterable:MaxDelay=00:00:00.050",
        "--CohortSync:Amplitude:RetryDelay=00:00:00.010",
        "--CohortSync:Amplitude:MaxRetryDelay=00:00:00.050",
        // The sandbox has no download limits, and tests start many syncs at once: AmplitudePacingTests sets its own.
        "--CohortSync:Engine:AmplitudeConcurrentDownloads=0",
        "--CohortSync:Engine:AmplitudeDownloadsPerWindow=0",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:CohortSync=Warning",
    ];
}
