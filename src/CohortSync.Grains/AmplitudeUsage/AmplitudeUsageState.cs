namespace CohortSync.Grains.AmplitudeUsage;

[GenerateSerializer, Alias("cs.AmplitudeUsageState")]
public sealed class AmplitudeUsageState
{
    [Id(0)] public string Month { get; set; } = "";
    [Id(1)] public int Used { get; set; }
}
