using CohortSync.Contracts;

namespace CohortSync.Grains.Destinations;

[GenerateSerializer, Alias("cs.DestinationState")]
public sealed class DestinationState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string IterableUrl { get; set; } = "";
    [Id(3)] public string KeyCipher { get; set; } = "";
    [Id(4)] public string KeyHint { get; set; } = "";
    [Id(5)] public string UserProperty { get; set; } = "user_id";
    [Id(6)] public DestinationHealth Health { get; set; }
    [Id(7)] public string? HealthReason { get; set; }
    [Id(8)] public DateTimeOffset CreatedAt { get; set; }
    [Id(9)] public double? StartPerSecond { get; set; }
    [Id(10)] public double? MaxPerSecond { get; set; }
    [Id(11)] public int? Concurrency { get; set; }
}
