namespace CohortSync.Grains.AmplitudeUsage;

[GenerateSerializer, Alias("cs.AmplitudeUsageState")]
public sealed class AmplitudeUsageState
{
    [Id(0)] public string Month { get; set; } = "";
    [Id(1)] public int Used { get; set; }
    /// <summary>The month (yyyy-MM) in which Amplitude refused a download for the monthly quota; scheduled downloads wait for the next.</summary>
    [Id(2)] public string? ExhaustedMonth { get; set; }
}
