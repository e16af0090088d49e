using Orleans.Concurrency;

using CohortSync.Grains.Destinations;

namespace CohortSync.Grains.Delivery;

/// <summary>
/// One Iterable project as the cluster sees it (same base URL and key, see <see cref="IterableProjectKey"/>):
/// the adaptive rate budget every run writing there shares, and the one place a list is found or created.
/// </summary>
[Alias("cs.IIterableProjectGrain")]
public interface IIterableProjectGrain : IGrainWithStringKey
{
    /// <summary>Up to <paramref name="wanted"/> permits (time slots); none with a time to ask again when the budget is spent.</summary>
    [AlwaysInterleave, Alias("Lease")] Task<RateLease> LeaseAsync(RateSettings settings, int wanted);

    /// <summary>A request paced by a permit of <paramref name="epoch"/> was answered 429.</summary>
    [AlwaysInterleave, Alias("ReportRateLimited")] Task ReportRateLimitedAsync(long epoch, TimeSpan? retryAfter);

    [AlwaysInterleave, Alias("GetBudget")] Task<RateBudgetInfo> GetBudgetAsync();

    /// <summary>
    /// Finds the list by exact name or creates it. Calls are serialised per Iterable project, so two runs, two
    /// syncs, two destinations with the same key or two silos never create the same list twice.
    /// </summary>
    [Alias("EnsureList")] Task<EnsuredList> EnsureListAsync(string iterableUrl, string keyCipher, RateSettings settings, string listName);
}

/// <summary>A destination's own rate settings; null takes the engine default.</summary>
[GenerateSerializer, Immutable, Alias("cs.RateSettings")]
public sealed record RateSettings(
    [property: Id(0)] double? StartPerSecond,
    [property: Id(1)] double? MaxPerSecond);

/// <summary><see cref="Count"/> permits, the first after <see cref="FirstIn"/>, one per <see cref="Interval"/>; 0: ask again after FirstIn.</summary>
[GenerateSerializer, Immutable, Alias("cs.RateLease")]
public sealed record RateLease(
    [property: Id(0)] int Count,
    [property: Id(1)] TimeSpan FirstIn,
    [property: Id(2)] TimeSpan Interval,
    [property: Id(3)] long Epoch);

[GenerateSerializer, Immutable, Alias("cs.RateBudgetInfo")]
public sealed record RateBudgetInfo(
    [property: Id(0)] double PerSecond,
    [property: Id(1)] long RateLimited,
    [property: Id(2)] long Epoch);
