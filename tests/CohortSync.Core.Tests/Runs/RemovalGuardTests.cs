using CohortSync.Contracts;
using Xunit;

namespace CohortSync.Core.Tests.Runs;

/// <summary>The one removal-guard parser and rule, called by the client and the silo alike.</summary>
public sealed class RemovalGuardTests
{
    [Theory]
    [InlineData("off", "off")]
    [InlineData(" OFF ", "off")]
    [InlineData("20", "20%")]
    [InlineData("20%", "20%")]
    [InlineData("5,100", "5%,100")]
    [InlineData("5%, 0", "5%,0")]
    [InlineData("100,1000", "100%")]
    public void Reads_off_a_percentage_or_a_percentage_and_a_minimum(string text, string canonical)
    {
        Assert.True(RemovalGuard.TryParse(text, out var guard, out var error), error);
        Assert.Equal(canonical, guard.ToString());
        Assert.Equal(guard, RemovalGuard.Parse(guard.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("20,")]
    [InlineData("20,-1")]
    [InlineData("20,5,5")]
    [InlineData("on")]
    [InlineData("1.5")]
    public void Refuses_anything_else_with_a_sentence_naming_the_forms(string text)
    {
        Assert.False(RemovalGuard.TryParse(text, out _, out var error));
        Assert.Contains("is not off, PCT or PCT,MIN", error);
    }

    [Theory]
    // Default: more than 20 % of the list and more than 1,000 members, or all of a non-empty list.
    [InlineData(10_000, 2_000, false)]
    [InlineData(10_000, 2_001, true)]
    [InlineData(4_000, 1_000, false)]
    [InlineData(4_000, 1_001, true)]
    [InlineData(100_000, 1_001, false)]
    [InlineData(30, 30, true)]
    [InlineData(1, 1, true)]
    [InlineData(30, 29, false)]
    [InlineData(0, 0, false)]
    [InlineData(10_000, 0, false)]
    public void The_default_holds_a_large_share_or_every_member(long listed, long removes, bool held) =>
        Assert.Equal(held, RemovalGuard.Default.Holds(listed, removes));

    [Fact]
    public void Off_holds_nothing_not_even_emptying_the_list()
    {
        Assert.False(RemovalGuard.None.Holds(5_000_000, 5_000_000));
        Assert.Equal("no guard", RemovalGuard.None.Describe());
    }

    [Fact]
    public void A_percentage_with_a_minimum_of_zero_holds_on_the_share_alone() =>
        Assert.Equal((false, true), (RemovalGuard.Parse("10,0").Holds(100, 10), RemovalGuard.Parse("10,0").Holds(100, 11)));
}
