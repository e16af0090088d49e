namespace CohortSync.Grains.Projects;

/// <summary>Silo-internal view of a project: the run engine's access to its (encrypted) Amplitude credentials.</summary>
[Alias("cs.IProjectAccess")]
public interface IProjectAccess : IGrainWithStringKey
{
    [Alias("GetAmplitudeAccess")] Task<AmplitudeAccess> GetAmplitudeAccessAsync();

    /// <summary>A sync of the project was stopped: it counts no more in the quota plan (one-way).</summary>
    [Orleans.Concurrency.OneWay, Alias("SyncStopped")] Task SyncStoppedAsync(string syncId);
}

[GenerateSerializer, Immutable, Alias("cs.AmplitudeAccess")]
public sealed record AmplitudeAccess(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string Url,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string SecretCipher);
