using CohortSync.Contracts;
using Xunit;

namespace CohortSync.Core.Tests.Scheduling;

/// <summary>The one cadence parser, called by the client and the silo alike.</summary>
public sealed class CadenceTests
{
    [Theory]
    [InlineData("once", "once", 0)]
    [InlineData("hourly", "hourly", 3600)]
    [InlineData("daily", "daily", 86400)]
    [InlineData(" Daily ", "daily", 86400)]
    [InlineData("HOURLY", "hourly", 3600)]
    [InlineData("15m", "15m", 900)]
    [InlineData("15M", "15m", 900)]
    [InlineData("1m", "1m", 60)]
    [InlineData("01m", "1m", 60)]
    [InlineData("60m", "60m", 3600)]
    [InlineData("1440m", "1440m", 86400)]
    [InlineData("44640m", "44640m", 44640 * 60)]
    [InlineData("30s", "30s", 30)]
    [InlineData("120s", "2m", 120)]
    public void Accepted_cadences_parse_and_print_back_in_canonical_form(string text, string printed, int seconds)
    {
        Assert.True(Cadence.TryParse(text, out var cadence, out var error), error);

        Assert.Equal((printed, TimeSpan.FromSeconds(seconds)), (cadence.ToString(), cadence.Period));
        Assert.Equal(printed != "once", cadence.IsRecurring);
        Assert.Equal(cadence, Cadence.Parse(printed));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("weekly")]
    [InlineData("0m")]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("+5m")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("1.5m")]
    [InlineData("15 m")]
    [InlineData("15h")]
    [InlineData("44641m")]
    [InlineData("3000000000m")]
    [InlineData("99999999999999999999m")]
    public void Malformed_cadences_are_refused_with_the_accepted_forms(string? text)
    {
        Assert.False(Cadence.TryParse(text, out _, out var error));

        Assert.Equal($"cadence '{text}' is not one of once, hourly, daily, realtime, <N>m (every N minutes, N from 1 to 44640) or cron:<expression>", error);
        Assert.Throws<FormatException>(() => Cadence.Parse(text));
    }

    [Fact]
    public void Hourly_and_sixty_minutes_run_alike_but_keep_their_names()
    {
        var (hourly, sixty) = (Cadence.Parse("hourly"), Cadence.Parse("60m"));

        Assert.Equal(hourly.Period, sixty.Period);
        Assert.NotEqual(hourly, sixty);
        Assert.Equal(("hourly", "60m"), (hourly.ToString(), sixty.ToString()));
    }
}
