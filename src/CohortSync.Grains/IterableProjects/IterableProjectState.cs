namespace CohortSync.Grains.IterableProjects;

/// <summary>Where an Iterable project is and how to reach it. The budget itself is not kept: a new activation learns it anew.</summary>
[GenerateSerializer, Alias("cs.IterableProjectState")]
public sealed class IterableProjectState
{
    [Id(0)] public string Url { get; set; } = "";
    [Id(1)] public string KeyCipher { get; set; } = "";
    [Id(2)] public double? StartPerSecond { get; set; }
    [Id(3)] public double? MaxPerSecond { get; set; }
    /// <summary>Which sync (its key) owns which list name in this Iterable project: a list has one writer.</summary>
    [Id(4)] public Dictionary<string, string> Owners { get; set; } = new(StringComparer.Ordinal);

    public bool Configured => Url.Length > 0;
}
