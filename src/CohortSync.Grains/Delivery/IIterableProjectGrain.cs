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
    /// Finds the list by exact name or creates it. Calls for one name are serialised per Iterable project, so two
    /// runs, two syncs, two destinations with the same key or two silos never create the same list twice; calls
    /// for different names share lookups of the lists like <see cref="CheckListAsync"/>.
    /// </summary>
    [AlwaysInterleave, Alias("EnsureList")] Task<EnsuredList> EnsureListAsync(string iterableUrl, string keyCipher, RateSettings settings, string listName);

    /// <summary>
    /// Whether the list exists, by a lookup of the project's lists made after this call arrived (never an older
    /// answer). Calls that arrive while a lookup is on its way share the next one, so many runs starting
    /// together cost one <c>GET /api/lists</c> instead of one each.
    /// </summary>
    [AlwaysInterleave, Alias("CheckList")] Task<ListCheck> CheckListAsync(string iterableUrl, string keyCipher, RateSettings settings, long listId);
}

/// <summary>Whether a list exists; or, when Iterable could not say, why.</summary>
[GenerateSerializer, Immutable, Alias("cs.ListCheck")]
public sealed record ListCheck(
    [property: Id(0)] bool Exists,
    [property: Id(1)] EnsureListFailure? Failure = null,
    [property: Id(2)] string? Reason = null);

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
