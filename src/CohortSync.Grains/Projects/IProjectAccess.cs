using Orleans.Concurrency;

namespace CohortSync.Grains.Projects;

/// <summary>Silo-internal view of a project: the run engine's access to its (encrypted) Amplitude credentials.</summary>
[Alias("cs.IProjectAccess")]
public interface IProjectAccess : IGrainWithStringKey
{
    [Alias("GetAmplitudeAccess")] Task<AmplitudeAccess> GetAmplitudeAccessAsync();

    /// <summary>
    /// Pauses every sync that writes through the destination, with the reason. One-way: the caller may sit
    /// inside a run of one of those syncs, which must not wait for its own pause.
    /// </summary>
    [OneWay, Alias("PauseSyncsOfDestination")] Task PauseSyncsOfDestinationAsync(string destinationId, string reason);
}

[GenerateSerializer, Immutable, Alias("cs.AmplitudeAccess")]
public sealed record AmplitudeAccess(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string Url,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string SecretCipher);
