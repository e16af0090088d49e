using CohortSync.Contracts;
using Orleans.Concurrency;

namespace CohortSync.Grains.Destinations;

/// <summary>
/// Silo-internal side of a destination: its configuration, its key (validated and encrypted here), its health.
/// It calls no other grain, so nothing it is asked can lead back to the caller.
/// </summary>
[Alias("cs.IDestinationAccess")]
public interface IDestinationAccess : IGrainWithStringKey
{
    /// <summary>Validates the request, encrypts the key and stores the destination; refuses bad input with a clear error.</summary>
    /// <summary>Creates the destination once Iterable has accepted its key (<c>GET /api/lists</c>).</summary>
    [Alias("Create")] Task<DestinationInfo> CreateAsync(AddDestinationRequest request, CancellationToken cancellationToken = default);

    [Alias("Get")] Task<DestinationInfo?> GetAsync();

    [Alias("GetIterableAccess")] Task<IterableAccess> GetIterableAccessAsync();

    [Alias("Remove")] Task RemoveAsync();

    /// <summary>
    /// Checks the new key with Iterable, then stores it and makes the destination healthy; refuses a key Iterable
    /// rejects. Interleaves: the check is an HTTP call, and runs asking for access must not queue behind it.
    /// </summary>
    [AlwaysInterleave, Alias("UpdateKey")] Task<DestinationInfo> UpdateKeyAsync(UpdateDestinationRequest request, CancellationToken cancellationToken = default);

    /// <summary>Marks the destination unhealthy. Its other syncs find out when they next run (pull, not fan-out).</summary>
    [Alias("ReportKeyRejected")] Task ReportKeyRejectedAsync(string reason);
}

/// <summary>What a run needs of its destination. The key stays encrypted until the run decrypts it.</summary>
[GenerateSerializer, Immutable, Alias("cs.IterableAccess")]
public sealed record IterableAccess(
    [property: Id(0)] bool Exists,
    [property: Id(1)] string Url,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string UserProperty,
    [property: Id(4)] DestinationHealth Health,
    [property: Id(5)] string? HealthReason,
    [property: Id(6)] RateSettings Rate,
    [property: Id(7)] int? Concurrency = null);

/// <summary>A destination's own number of write requests in flight per run.</summary>
public static class ConcurrencySetting
{
    /// <summary>Refuses a number of requests in flight outside 1–<see cref="DestinationLimits.MaxConcurrency"/>; null stays null (the engine default).</summary>
    public static int? From(int? concurrency) => concurrency is null or (>= 1 and <= DestinationLimits.MaxConcurrency)
        ? concurrency
        : throw new CohortSyncException(ErrorCodes.InvalidArgument, $"concurrency must be between 1 and {DestinationLimits.MaxConcurrency} requests in flight");
}

/// <summary>A destination's own rate settings; null takes the engine default.</summary>
[GenerateSerializer, Immutable, Alias("cs.RateSettings")]
public sealed record RateSettings(
    [property: Id(0)] double? StartPerSecond,
    [property: Id(1)] double? MaxPerSecond)
{
    /// <summary>Null when neither rate is given; refuses rates that are not positive or start above the ceiling.</summary>
    public static RateSettings? From(double? start, double? max)
    {
        if (start is null && max is null) return null;
        if (start is <= 0 || max is <= 0 || start > max)
            throw new CohortSyncException(ErrorCodes.InvalidArgument, "request rates must be positive, and the starting rate at most the ceiling");
        return new RateSettings(start, max);
    }
}
