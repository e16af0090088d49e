namespace CohortSync.Grains.Projects;

/// <summary>Silo-internal view of a project: the run engine's access to its (encrypted) Amplitude credentials.</summary>
[Alias("cs.IProjectAccess")]
public interface IProjectAccess : IGrainWithStringKey
{
    /// <summary>
    /// Reads the project's state only, so it interleaves: a sync asking (<c>sync run</c>) never waits behind a
    /// project turn that is itself waiting on that sync.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave, Alias("GetAmplitudeAccess")] Task<AmplitudeAccess> GetAmplitudeAccessAsync();

    /// <summary>A sync of the project was stopped: it counts no more in the quota plan (one-way).</summary>
    [Orleans.Concurrency.OneWay, Alias("SyncStopped")] Task SyncStoppedAsync(string syncId);

    /// <summary>Another project of the organisation changed its load: the automatic reconcile interval may have moved (one-way).</summary>
    [Orleans.Concurrency.OneWay, Alias("OrganisationChanged")] Task OrganisationChangedAsync();
}

[GenerateSerializer, Immutable, Alias("cs.AmplitudeAccess")]
public sealed record AmplitudeAccess(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string Url,
    [property: Id(2)] string KeyCipher,
    [property: Id(3)] string SecretCipher)
{
    /// <summary>The key of the <c>IAmplitudeUsageGrain</c> that counts and paces this project's downloads: the organisation's, or the project's own.</summary>
    [Id(55)] public string? UsageKey { get; init; }
}
