using CohortSync.Contracts;
using CohortSync.Grains.Delivery;

namespace CohortSync.Grains.Destinations;

/// <summary>Silo-internal side of a destination: configuration, credentials for runs, health. Lists are found or created by <see cref="IIterableProjectGrain"/>.</summary>
[Alias("cs.IDestinationAccess")]
public interface IDestinationAccess : IGrainWithStringKey
{
    [Alias("Configure")] Task<DestinationInfo> ConfigureAsync(DestinationConfig config);
    [Alias("Get")] Task<DestinationInfo?> GetAsync();
    [Alias("GetIterableAccess")] Task<IterableAccess> GetIterableAccessAsync();
    [Alias("Remove")] Task RemoveAsync();

    /// <summary>Checks the new key with Iterable, stores it and makes the destination healthy; refuses a key Iterable rejects.</summary>
    [Alias("UpdateKey")] Task<DestinationInfo> UpdateKeyAsync(string keyCipher, string keyHint, RateSettings? rate);

    /// <summary>Marks the destination unhealthy and has the project pause every sync that writes through it.</summary>
    [Alias("ReportKeyRejected")] Task ReportKeyRejectedAsync(string reason);
}

[GenerateSerializer, Immutable, Alias("cs.DestinationConfig")]
public sealed record DestinationConfig(
    [property: Id(0)] string Name,
    [property: Id(1)] string IterableUrl,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string KeyHint,
    [property: Id(4)] string UserProperty,
    [property: Id(5)] RateSettings? Rate = null);

[GenerateSerializer, Immutable, Alias("cs.IterableAccess")]
public sealed record IterableAccess(
    [property: Id(0)] bool Exists,
    [property: Id(1)] string Url,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string UserProperty,
    [property: Id(4)] DestinationHealth Health,
    [property: Id(5)] string? HealthReason,
    [property: Id(6)] RateSettings Rate);

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
