using CohortSync.Contracts;

namespace CohortSync.Grains.Tests;

/// <summary>The silo's own limit on top of the shared parser: a cadence may be well formed and still too short here.</summary>
public sealed class MinimumCadenceTests
{
    private static readonly SyncEngineOptions Defaults = new();

    [Theory]
    [InlineData("30s")]
    [InlineData("59s")]
    public void A_cadence_shorter_than_the_default_minute_is_refused(string cadence) =>
        Assert.Equal($"cadence '{cadence}' is shorter than this cluster's minimum of 1 minute(s); choose a longer one",
            Defaults.RefusedCadence(Cadence.Parse(cadence)));

    [Theory]
    [InlineData("once")]
    [InlineData("60s")]
    [InlineData("1m")]
    [InlineData("hourly")]
    [InlineData("daily")]
    public void One_minute_and_longer_and_once_are_allowed(string cadence) => Assert.Null(Defaults.RefusedCadence(Cadence.Parse(cadence)));

    [Fact]
    public void A_cluster_configured_for_tests_allows_seconds()
    {
        var fast = new SyncEngineOptions { MinimumCadence = TimeSpan.FromSeconds(1) };

        Assert.Null(fast.RefusedCadence(Cadence.Parse("30s")));
        Assert.Equal("cadence '1m' is shorter than this cluster's minimum of 2 minute(s); choose a longer one",
            new SyncEngineOptions { MinimumCadence = TimeSpan.FromMinutes(2) }.RefusedCadence(Cadence.Parse("1m")));
    }
}
