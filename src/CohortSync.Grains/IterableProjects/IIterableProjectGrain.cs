using CohortSync.Grains.Destinations;
using Orleans.Concurrency;

namespace CohortSync.Grains.IterableProjects;

/// <summary>
/// One Iterable project as the cluster sees it (same base URL and key, see <see cref="IterableProjectKey"/>):
/// the adaptive rate budget every run writing there shares, and the one place a list is found or created.
/// Configured once with where and how to reach Iterable; asked short questions after that. It calls no grain.
/// </summary>
[Alias("cs.IIterableProjectGrain")]
public interface IIterableProjectGrain : IGrainWithStringKey
{
    /// <summary>Where the project is and the rates to start from; kept durably, so a moved activation needs no second call. Idempotent.</summary>
    [AlwaysInterleave, Alias("Configure")] Task ConfigureAsync(IterableEndpoint endpoint);

    /// <summary>Up to <paramref name="wanted"/> permits (time slots); none with a time to ask again when the budget is spent.</summary>
    [AlwaysInterleave, Alias("Lease")] Task<RateLease> LeaseAsync(int wanted, CancellationToken cancellationToken = default);

    /// <summary>A request paced by a permit of <paramref name="epoch"/> was answered 429.</summary>
    [AlwaysInterleave, Alias("ReportRateLimited")] Task ReportRateLimitedAsync(long epoch, TimeSpan? retryAfter);

    [AlwaysInterleave, Alias("GetBudget")] Task<RateBudgetInfo> GetBudgetAsync();

    /// <summary>
    /// The next slot for a list read (getUsers or size, 5 a minute per project): how long the caller waits before it
    /// sends. Answers at once; the waiting is the caller's, so queued readers hold up no grain turn.
    /// </summary>
    [AlwaysInterleave, Alias("ReserveListRead")] Task<TimeSpan> ReserveListReadAsync();

    /// <summary>A list read was answered 429: the next slots move past the pause.</summary>
    [AlwaysInterleave, Alias("ReportListReadLimited")] Task ReportListReadLimitedAsync(TimeSpan? retryAfter);

    /// <summary>
    /// Finds the list by exact name or creates it. Calls for one name are serialised per Iterable project, so two
    /// runs, two syncs, two destinations with the same key or two silos never create the same list twice; calls
    /// for different names share lookups of the lists like <see cref="CheckListAsync"/>.
    /// </summary>
    [AlwaysInterleave, Alias("EnsureList")] Task<ListAnswer> EnsureListAsync(string listName, CancellationToken cancellationToken = default);

    /// <summary>
    /// One list, one owner: takes the first of <paramref name="names"/> no other sync of this Iterable project owns (or
    /// that <paramref name="owner"/> owns already), records <paramref name="owner"/> as its owner, then finds or creates
    /// it as <see cref="EnsureListAsync"/> does. The answer's <see cref="ListAnswer.Name"/> says which name it took.
    /// </summary>
    [AlwaysInterleave, Alias("EnsureOwnedList")]
    Task<ListAnswer> EnsureOwnedListAsync(IReadOnlyList<string> names, string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records <paramref name="owner"/> as the owner of the list it already writes (a sync from before owners were kept),
    /// unless another sync owns the name; false then. Never calls Iterable.
    /// </summary>
    [AlwaysInterleave, Alias("ClaimList")] Task<bool> ClaimListAsync(string listName, string owner);

    /// <summary>The owner's list was deleted (<c>sync stop --list delete</c>): its name is free for another sync.</summary>
    [AlwaysInterleave, Alias("ReleaseList")] Task ReleaseListAsync(string listName, string owner);

    /// <summary>
    /// Whether the list exists. "Yes" may come from a lookup of the project's lists sent up to
    /// <c>ListLookupMaxAge</c> ago (one shared lookup answers every run of those seconds, so 10,000 syncs on one key
    /// cost O(syncs) lookups an hour, not O(syncs²)); "no" only from a lookup sent after this call arrived. Calls that
    /// arrive while a lookup is on its way share it.
    /// </summary>
    [AlwaysInterleave, Alias("CheckList")] Task<ListAnswer> CheckListAsync(long listId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Iterable answered <c>invalidListId</c> for the list: every lookup sent before now stops counting as recent
    /// (for every caller), and the answer comes from a lookup sent after this call.
    /// </summary>
    [AlwaysInterleave, Alias("CheckRejectedList")] Task<ListAnswer> CheckRejectedListAsync(long listId, CancellationToken cancellationToken = default);
}

/// <summary>Base URL, encrypted key and rate settings of one Iterable project.</summary>
[GenerateSerializer, Immutable, Alias("cs.IterableEndpoint")]
public sealed record IterableEndpoint(
    [property: Id(0)] string Url,
    [property: Id(1)] string KeyCipher,
    [property: Id(2)] RateSettings Rate);

/// <summary>
/// A list found (<see cref="ListId"/>, <see cref="Created"/> when this call made it), a list checked
/// (<see cref="Exists"/>), or, when Iterable could not say, the kind of failure and one line about it.
/// Exceptions stay on the grain's side of the call: only this crosses it.
/// </summary>
[GenerateSerializer, Immutable, Alias("cs.ListAnswer")]
public sealed record ListAnswer(
    [property: Id(0)] long ListId,
    [property: Id(1)] bool Created,
    [property: Id(2)] bool Exists,
    [property: Id(3)] ListFailure? Failure = null,
    [property: Id(4)] string? Detail = null)
{
    /// <summary>The name the list was found or created under (<see cref="IIterableProjectGrain.EnsureOwnedListAsync"/>).</summary>
    [Id(5)] public string? Name { get; init; }
}

[GenerateSerializer, Alias("cs.ListFailure")]
public enum ListFailure
{
    /// <summary>Every name the sync's list may take is owned by another sync.</summary>
    Taken = 30,
    KeyRejected = 1,
    Unavailable = 2,
    /// <summary>The grain was never configured (<see cref="IIterableProjectGrain.ConfigureAsync"/>).</summary>
    NotConfigured = 3,
    /// <summary>Iterable kept answering 429 to the lookup (or the creation) past the retries of one call: worth asking again later.</summary>
    RateLimited = 70,
}

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
