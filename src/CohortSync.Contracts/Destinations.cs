namespace CohortSync.Contracts;

[GenerateSerializer, Immutable, Alias("cs.AddDestinationRequest")]
public sealed record AddDestinationRequest(
    [property: Id(0)] string Name,
    [property: Id(1)] string IterableApiKey,
    [property: Id(2)] string? UserProperty,
    [property: Id(3)] string? IterableRegion,
    [property: Id(4)] string? IterableUrl)
{
    public override string ToString() => $"AddDestinationRequest(name={Name}, property={UserProperty}, region={IterableRegion}, url={IterableUrl})";
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
    [property: Id(8)] DateTimeOffset CreatedAt);
