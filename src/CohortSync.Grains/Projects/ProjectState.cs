namespace CohortSync.Grains.Projects;

[GenerateSerializer, Alias("cs.ProjectState")]
public sealed class ProjectState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public bool Enabled { get; set; }
    [Id(2)] public string AmplitudeUrl { get; set; } = "";
    [Id(3)] public string AmplitudeKeyCipher { get; set; } = "";
    [Id(4)] public string AmplitudeSecretCipher { get; set; } = "";
    [Id(5)] public string AmplitudeKeyHint { get; set; } = "";
    [Id(6)] public DateTimeOffset? EnabledAt { get; set; }
    [Id(7)] public List<string> Destinations { get; set; } = [];
    [Id(8)] public List<SyncIndexEntry> Syncs { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("cs.SyncIndexEntry")]
public sealed record SyncIndexEntry(
    [property: Id(0)] string SyncId,
    [property: Id(1)] string CohortId,
    [property: Id(2)] string DestinationId);
