using CohortSync.Core.Scheduling;
using Xunit;

namespace CohortSync.Core.Tests.Scheduling;

public sealed class CadenceTests
{
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData("once", "once", 0)]
    [InlineData("hourly", "hourly", 3600)]
    [InlineData(" Daily ", "daily", 86400)]
    [InlineData("15m", "15m", 900)]
    [InlineData("1m", "1m", 60)]
    public void Accepted_cadences_parse_and_print_back(string text, string printed, int seconds)
    {
        Assert.True(Cadence.TryParse(text, OneMinute, out var cadence, out var error), error);
        Assert.Equal(printed, cadence.ToString());
        Assert.Equal(TimeSpan.FromSeconds(seconds), cadence.Period);
    }

    [Theory]
    [InlineData("")]
    [InlineData("weekly")]
    [InlineData("0m")]
    [InlineData("-5m")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("1.5m")]
    public void Malformed_cadences_are_refused_with_the_accepted_forms(string text)
    {
        Assert.False(Cadence.TryParse(text, OneMinute, out _, out var error));
        Assert.Contains("once, hourly, daily or <N>m", error);
    }

    [Fact]
    public void A_cadence_below_the_minimum_period_is_refused()
    {
        Assert.False(Cadence.TryParse("30s", OneMinute, out _, out var error));
        Assert.Contains("minimum", error);
        Assert.True(Cadence.TryParse("30s", TimeSpan.FromSeconds(1), out var fast, out _));
        Assert.Equal("30s", fast.ToString());
    }
}
