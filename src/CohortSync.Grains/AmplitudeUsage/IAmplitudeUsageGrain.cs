using Orleans.Concurrency;

namespace CohortSync.Grains.AmplitudeUsage;

/// <summary>
/// A project's use of Amplitude's cohort downloads: counted per calendar month (UTC), and paced so the cluster
/// stays within Amplitude's limits for one project (a few downloads at once, so many per ten minutes).
/// Key: the project id.
/// </summary>
[Alias("cs.IAmplitudeUsageGrain")]
public interface IAmplitudeUsageGrain : IGrainWithStringKey
{
    /// <summary>One more download requested in the current month. One-way: a run does not wait for the count.</summary>
    [OneWay, Alias("CountDownload")] Task CountDownloadAsync();

    [Alias("GetThisMonth")] Task<DownloadCount> GetThisMonthAsync();

    /// <summary>Amplitude refused a download for the monthly quota: no download is asked for again this month.</summary>
    [Alias("QuotaExhausted")] Task QuotaExhaustedAsync();

    /// <summary>The operator says the quota is there again (<c>project quota reset</c>): downloads resume now.</summary>
    [Alias("ResetQuota")] Task ResetQuotaAsync();

    /// <summary>
    /// A permit to download now, or null with how long to wait before asking again. A permit lapses after
    /// <see cref="DownloadLimits.Lease"/> unless renewed, so one held by a silo that died frees itself.
    /// </summary>
    [AlwaysInterleave, Alias("TryEnterDownload")] Task<DownloadPermit> TryEnterDownloadAsync(DownloadLimits limits, CancellationToken cancellationToken = default);

    [AlwaysInterleave, Alias("RenewDownload")] Task RenewDownloadAsync(Guid permit, TimeSpan lease);

    [AlwaysInterleave, Alias("ExitDownload")] Task ExitDownloadAsync(Guid permit);
}

[GenerateSerializer, Immutable, Alias("cs.DownloadCount")]
public sealed record DownloadCount([property: Id(0)] string Month, [property: Id(1)] int Used)
{
    /// <summary>When Amplitude refused a download this month for the quota: the start of the next month (UTC), when downloads resume; else null.</summary>
    [Id(2)] public DateTimeOffset? ExhaustedUntil { get; init; }
}

/// <summary>At most <see cref="Concurrent"/> downloads at once and <see cref="PerWindow"/> started per <see cref="Window"/>; 0: no limit.</summary>
[GenerateSerializer, Immutable, Alias("cs.DownloadLimits")]
public sealed record DownloadLimits(
    [property: Id(0)] int Concurrent,
    [property: Id(1)] int PerWindow,
    [property: Id(2)] TimeSpan Window,
    [property: Id(3)] TimeSpan Lease);

/// <summary>Granted (<see cref="Id"/> set), or not yet (ask again after <see cref="RetryAfter"/>).</summary>
[GenerateSerializer, Immutable, Alias("cs.DownloadPermit")]
public sealed record DownloadPermit([property: Id(0)] Guid? Id, [property: Id(1)] TimeSpan RetryAfter)
{
    /// <summary>Refused: the month's quota is used up until then (no permit, no retry).</summary>
    [Id(2)] public DateTimeOffset? ExhaustedUntil { get; init; }
}
