using CohortSync.Core.Identity;

namespace CohortSync.Core.Tests.Identity;

public sealed class DesiredSetBuilderTests
{
    [Fact]
    public void Valid_identifiers_make_the_desired_set_sorted_and_distinct()
    {
        var builder = new DesiredSetBuilder();
        foreach (var id in new[] { "u-2", "u-1", "u-2" }) builder.Accept(id);

        var desired = builder.Build();

        Assert.Equal(new[] { "u-1", "u-2" }, desired);
        Assert.Equal(3, builder.Rows);
        Assert.Equal((0, 0), (builder.Missing, builder.Invalid));
    }

    [Fact]
    public void Empty_values_are_missing_not_invalid()
    {
        var builder = new DesiredSetBuilder();
        builder.Accept("");
        builder.Accept("u-1");

        Assert.Equal(1, builder.Missing);
        Assert.Equal(0, builder.Invalid);
        Assert.Equal(new[] { "u-1" }, builder.Build());
    }

    [Theory]
    [InlineData(" padded")]
    [InlineData("padded ")]
    [InlineData("tab\tinside")]
    [InlineData("new\nline")]
    [InlineData("ünïcode")]
    [InlineData("del\u007F")]
    [InlineData("12345678901234567890123456789012345678901234567890123")] // 53 characters
    public void Values_Iterable_would_reject_are_counted_and_left_out(string value)
    {
        var builder = new DesiredSetBuilder();
        builder.Accept(value);
        builder.Accept("ok");

        Assert.Equal(1, builder.Invalid);
        Assert.Equal(new[] { value }, builder.InvalidSample);
        Assert.Equal(new[] { "ok" }, builder.Build());
    }

    [Fact]
    public void The_longest_value_Iterable_accepts_is_kept()
    {
        var longest = new string('x', IdentityRules.MaxUserIdLength);
        var builder = new DesiredSetBuilder();
        builder.Accept(longest);

        Assert.Equal(new[] { longest }, builder.Build());
        Assert.Equal(0, builder.Invalid);
    }

    [Fact]
    public void Every_printable_ascii_character_is_accepted_inside_a_value()
    {
        var printable = new string(Enumerable.Range(0x21, 0x7E - 0x21 + 1).Select(c => (char)c).ToArray());
        var builder = new DesiredSetBuilder();
        foreach (var chunk in printable.Chunk(40)) builder.Accept("a " + new string(chunk) + " b");

        Assert.Equal(0, builder.Invalid);
        Assert.Equal(3, builder.Build().Count);
    }

    [Fact]
    public void The_invalid_sample_is_bounded()
    {
        var builder = new DesiredSetBuilder();
        for (var i = 0; i < 100; i++) builder.Accept($" bad-{i}");

        Assert.Equal(100, builder.Invalid);
        Assert.Equal(DesiredSetBuilder.SampleLimit, builder.InvalidSample.Count);
    }
}
