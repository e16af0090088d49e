using System.Text;
using CohortSync.Core.Members;

namespace CohortSync.Core.Tests.Members;

public sealed class MemberSetTests
{
    [Fact]
    public void Contains_finds_members_and_only_members()
    {
        var set = MemberSet.From(Samples.Users(0, 1000));

        Assert.True(set.Contains("user-0"));
        Assert.True(set.Contains("user-999"));
        Assert.False(set.Contains("user-1000"));
        Assert.False(set.Contains("user-"));
        Assert.False(MemberSet.Empty.Contains("user-0"));
    }

    [Fact]
    public void IndexOf_gives_the_insertion_point_of_a_missing_member()
    {
        var set = MemberSet.From(["b", "d", "f"]);

        Assert.Equal(1, set.IndexOf("d"u8));
        Assert.Equal(~0, set.IndexOf("a"u8));
        Assert.Equal(~2, set.IndexOf("e"u8));
        Assert.Equal(~3, set.IndexOf("g"u8));
    }

    [Fact]
    public void Size_counts_identifier_bytes_and_the_offset_table()
    {
        var set = MemberSet.From(["ab", "cde"]);

        Assert.Equal(5 + 3 * sizeof(int), set.SizeInBytes);
        Assert.Equal("cde"u8.ToArray(), set.GetUtf8(1).ToArray());
    }

    [Fact]
    public void FromSorted_accepts_sorted_members_and_refuses_unsorted_or_repeated_ones()
    {
        var arena = Encoding.UTF8.GetBytes("abc");

        Assert.Equal(new[] { "a", "b", "c" }, MemberSet.FromSorted(arena, [0, 1, 2, 3]));
        Assert.Throws<ArgumentException>(() => MemberSet.FromSorted(Encoding.UTF8.GetBytes("ba"), [0, 1, 2]));
        Assert.Throws<ArgumentException>(() => MemberSet.FromSorted(Encoding.UTF8.GetBytes("aa"), [0, 1, 2]));
    }

    [Fact]
    public void Apply_adds_new_members_and_drops_removed_ones()
    {
        var synced = MemberSet.From(["a", "c", "e"]);

        var next = synced.Apply(MemberSet.From(["b", "c", "f"]), MemberSet.From(["a", "e", "x"]));

        Assert.Equal(new[] { "b", "c", "f" }, next);
    }

    [Fact]
    public void Apply_lets_removal_win_over_addition_of_the_same_member()
    {
        var next = MemberSet.From(["a"]).Apply(MemberSet.From(["b"]), MemberSet.From(["b"]));

        Assert.Equal(new[] { "a" }, next);
    }

    [Fact]
    public void Apply_of_nothing_returns_the_same_set()
    {
        var set = MemberSet.From(["a"]);

        Assert.Same(set, set.Apply(MemberSet.Empty, MemberSet.Empty));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void Apply_matches_set_arithmetic_on_random_sets(int seed)
    {
        var random = new Random(seed);
        var synced = Samples.Awkward(random, 3000);
        var added = Samples.Awkward(random, 800);
        var removed = synced.Where(_ => random.Next(4) == 0).Concat(Samples.Awkward(random, 100)).ToList();

        var next = MemberSet.From(synced).Apply(MemberSet.From(added), MemberSet.From(removed));

        var expected = synced.Union(added).Except(removed);
        Assert.Equal(Samples.Sorted(expected), next);
    }
}
