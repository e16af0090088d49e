using CohortSync.Client.Input;

namespace CohortSync.Client.Tests;

public sealed class InputRulesTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1.5h", 5400)]
    [InlineData("00:02:00", 120)]
    public void Durations_read_with_their_unit(string text, int seconds)
    {
        Assert.True(InputRules.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-5m")]
    [InlineData("ten minutes")]
    [InlineData("")]
    public void Zero_negative_or_wordy_durations_are_refused(string text) => Assert.False(InputRules.TryParseDuration(text, out _));

    [Theory]
    [InlineData("us")]
    [InlineData("EU")]
    public void Regions_are_us_or_eu_in_any_case(string region) => Assert.Null(InputRules.CheckRegion(region, "--iterable-region"));

    [Theory]
    [InlineData("http://localhost:5080")]
    [InlineData("https://api.eu.iterable.com/")]
    public void Http_and_https_urls_are_accepted(string url) => Assert.Null(InputRules.CheckUrl(url, "--iterable-url"));

    [Theory]
    [InlineData("a-b_c.1")]
    [InlineData("X")]
    public void Ids_follow_the_grain_key_rules(string id) => Assert.Null(InputRules.CheckId(id, "project"));

    [Fact]
    public void Gateways_parse_from_names_ipv4_and_bracketed_ipv6()
    {
        Assert.True(GatewayList.TryParse(["silo-1:30000", "10.1.2.3:30001,[::1]:30002", "silo-1:30000"], out var gateways, out _));

        Assert.Equal(
            [new GatewayAddress("silo-1", 30000), new GatewayAddress("10.1.2.3", 30001), new GatewayAddress("::1", 30002)],
            gateways);
        Assert.Equal("[::1]:30002", gateways[2].ToString());
    }

    [Fact]
    public void Option_gateways_win_over_the_environment()
    {
        var gateways = GatewayList.Resolve(["a:1"], "b:2");

        Assert.Equal([new GatewayAddress("a", 1)], gateways);
    }
}
