namespace CohortSync.Contracts;

[GenerateSerializer, Immutable, Alias("cs.AddDestinationRequest")]
public sealed record AddDestinationRequest(
    [property: Id(0)] string Name,
    [property: Id(1)] string IterableApiKey,
    [property: Id(2)] string? UserProperty,
    [property: Id(3)] string? IterableRegion,
    [property: Id(4)] string? IterableUrl,
    [property: Id(5)] double? RequestsPerSecond = null,
    [property: Id(6)] double? MaxRequestsPerSecond = null,
    [property: Id(7)] int? Concurrency = null)
{
    public override string ToString() =>
        $"AddDestinationRequest(name={Name}, property={UserProperty}, region={IterableRegion}, url={IterableUrl}, rate={RequestsPerSecond}/{MaxRequestsPerSecond}, concurrency={Concurrency})";
}

/// <summary>
/// Replaces a destination's Iterable key (and optionally its rate settings). The key is checked against
/// Iterable first; syncs paused because the old key was rejected resume.
/// </summary>
[GenerateSerializer, Immutable, Alias("cs.UpdateDestinationRequest")]
public sealed record UpdateDestinationRequest(
    [property: Id(0)] string IterableApiKey,
    [property: Id(1)] double? RequestsPerSecond = null,
    [property: Id(2)] double? MaxRequestsPerSecond = null,
    [property: Id(3)] int? Concurrency = null)
{
    public override string ToString() => $"UpdateDestinationRequest(rate={RequestsPerSecond}/{MaxRequestsPerSecond}, concurrency={Concurrency})";
}

/// <summary>Bounds every side checks a destination's settings against: the client, the grain, the engine options.</summary>
public static class DestinationLimits
{
    /// <summary>Most write requests one run keeps in flight (<c>--concurrency</c>, <c>RequestsInFlight</c>).</summary>
    public const int MaxConcurrency = 64;
}

[GenerateSerializer, Alias("cs.DestinationHealth")]
public enum DestinationHealth
{
    Healthy = 0,
    Unhealthy = 1,
}

[GenerateSerializer, Immutable, Alias("cs.DestinationInfo")]
public sealed record DestinationInfo(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string DestinationId,
    [property: Id(2)] string Name,
    [property: Id(3)] string IterableUrl,
    [property: Id(4)] string KeyHint,
    [property: Id(5)] string UserProperty,
    [property: Id(6)] DestinationHealth Health,
    [property: Id(7)] string? HealthReason,
    [property: Id(8)] DateTimeOffset CreatedAt,
    /// <summary>Starting request rate towards Iterable; null: the engine default.</summary>
    [property: Id(9)] double? RequestsPerSecond = null,
    /// <summary>Ceiling of the adaptive request rate; null: the engine default.</summary>
    [property: Id(10)] double? MaxRequestsPerSecond = null,
    /// <summary>Write requests a run keeps in flight towards this destination; null: the engine default.</summary>
    [property: Id(11)] int? Concurrency = null);
