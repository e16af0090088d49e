using CohortSync.Contracts;

namespace CohortSync.Grains.Destinations;

/// <summary>Silo-internal side of a destination: configuration, credentials for runs, list creation, health.</summary>
[Alias("cs.IDestinationAccess")]
public interface IDestinationAccess : IGrainWithStringKey
{
    [Alias("Configure")] Task<DestinationInfo> ConfigureAsync(DestinationConfig config);
    [Alias("Get")] Task<DestinationInfo?> GetAsync();
    [Alias("GetIterableAccess")] Task<IterableAccess> GetIterableAccessAsync();
    [Alias("Remove")] Task RemoveAsync();

    /// <summary>
    /// Finds the list by exact name or creates it. Serialised through this grain so two syncs of one
    /// destination can never create the same list twice.
    /// </summary>
    [Alias("EnsureList")] Task<EnsuredList> EnsureListAsync(string listName);

    [Alias("ReportKeyRejected")] Task ReportKeyRejectedAsync(string reason);
}

[GenerateSerializer, Immutable, Alias("cs.DestinationConfig")]
public sealed record DestinationConfig(
    [property: Id(0)] string Name,
    [property: Id(1)] string IterableUrl,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string KeyHint,
    [property: Id(4)] string UserProperty);

[GenerateSerializer, Immutable, Alias("cs.IterableAccess")]
public sealed record IterableAccess(
    [property: Id(0)] bool Exists,
    [property: Id(1)] string Url,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string UserProperty,
    [property: Id(4)] DestinationHealth Health,
    [property: Id(5)] string? HealthReason);

[GenerateSerializer, Immutable, Alias("cs.EnsuredList")]
public sealed record EnsuredList(
    [property: Id(0)] long ListId,
    [property: Id(1)] bool Created,
    [property: Id(2)] EnsureListFailure? Failure = null,
    [property: Id(3)] string? Reason = null);

[GenerateSerializer, Alias("cs.EnsureListFailure")]
public enum EnsureListFailure
{
    KeyRejected = 1,
    Unavailable = 2,
}
