using Xunit;

namespace CohortSync.Iterable.Tests.Client;

public sealed class IterableRegionsTests
{
    [Theory]
    [InlineData("us", "https://api.iterable.com/")]
    [InlineData("EU", "https://api.eu.iterable.com/")]
    [InlineData(" https://api.iterable.com/ ", "https://api.iterable.com/")]
    [InlineData("http://127.0.0.1:5380", "http://127.0.0.1:5380/")]
    [InlineData("https://proxy.example.com/iterable/", "https://proxy.example.com/iterable")]
    public void Regions_and_urls_resolve_to_a_base_address(string input, string expected)
    {
        Assert.Equal(new Uri(expected), IterableRegions.ResolveBaseUrl(input));
    }

    [Theory]
    [InlineData("")]
    [InlineData("asia")]
    [InlineData("api.iterable.com")]
    [InlineData("ftp://api.iterable.com")]
    [InlineData("http://api.iterable.com")]
    [InlineData("https://api.iterable.com/api")]
    [InlineData("https://api.iterable.com/?x=1")]
    public void Unusable_values_are_refused_with_an_argument_error(string input)
    {
        var error = Assert.Throws<ArgumentException>(() => IterableRegions.ResolveBaseUrl(input));

        Assert.Equal("regionOrUrl", error.ParamName);
    }
}
