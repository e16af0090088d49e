using System.Text;
using CohortSync.Core.Members;

namespace CohortSync.Core.Tests.Members;

public sealed class MemberSetBuilderTests
{
    [Fact]
    public void Members_added_in_any_order_come_out_sorted_by_their_utf8_bytes()
    {
        var builder = new MemberSetBuilder();
        foreach (var id in new[] { "b", "a", "ab", "B", "a0", "~", " x" }) builder.Add(id);

        var set = builder.Build();

        Assert.Equal(new[] { " x", "B", "a", "a0", "ab", "b", "~" }, set);
    }

    [Fact]
    public void Duplicates_are_kept_once()
    {
        var builder = new MemberSetBuilder(2);
        foreach (var id in new[] { "u-2", "u-1", "u-2", "u-2", "u-1", "u-3" }) builder.Add(id);

        var set = builder.Build();

        Assert.Equal(new[] { "u-1", "u-2", "u-3" }, set);
        Assert.Equal(6, builder.Count);
    }

    [Fact]
    public void A_member_sorts_before_every_longer_member_it_is_a_prefix_of()
    {
        var builder = new MemberSetBuilder();
        foreach (var id in new[] { "abcdefghijklmnopq", "abcdefgh", "abcdefghi", "abcdefg", "abcdefghijklmnop", "abcdefgh\0" }) builder.Add(id);

        var set = builder.Build();

        Assert.Equal(new[] { "abcdefg", "abcdefgh", "abcdefgh\0", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq" }, set);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_identifiers_with_shared_prefixes_sort_like_the_reference(int seed)
    {
        var random = new Random(seed);
        var members = Samples.Awkward(random, 5000);
        members.AddRange(members.Take(500)); // duplicates
        var builder = new MemberSetBuilder(16);
        foreach (var id in members.OrderBy(_ => random.Next())) builder.Add(id);

        var set = builder.Build();

        Assert.Equal(Samples.Sorted(members), set);
    }

    [Fact]
    public void Members_that_all_share_a_long_prefix_sort_by_what_follows_it()
    {
        const string prefix = "tenant-0042/crm-user-";
        var members = Samples.Users(0, 3000).Select(id => prefix + id[5..]).ToList();
        members.Add(prefix);
        members.AddRange(Enumerable.Repeat(prefix + "7", 50));
        var builder = new MemberSetBuilder();
        foreach (var id in members.OrderBy(id => id.GetHashCode())) builder.Add(id);

        Assert.Equal(Samples.Sorted(members), builder.Build());
    }

    [Fact]
    public void Non_ascii_members_are_ordered_by_utf8_bytes_not_utf16_code_units()
    {
        // U+FF21 is one UTF-16 unit above a surrogate but encodes below U+1F600 in UTF-8.
        var members = new[] { "\U0001F600", "\uFF21", "z", "é" };
        var builder = new MemberSetBuilder();
        foreach (var id in members) builder.Add(id);

        Assert.Equal(Samples.Sorted(members), builder.Build());
    }

    [Fact]
    public void Utf8_and_utf16_additions_make_the_same_set()
    {
        var text = new MemberSetBuilder();
        var utf8 = new MemberSetBuilder();
        foreach (var id in Samples.Users(0, 300))
        {
            text.Add(id);
            utf8.AddUtf8(Encoding.UTF8.GetBytes(id));
        }

        Assert.Equal(text.Build(), utf8.Build());
    }

    [Fact]
    public void Members_added_already_in_order_build_the_same_set_as_shuffled_ones()
    {
        var sorted = Samples.Sorted(Samples.Awkward(new Random(9), 2000));
        var inOrder = new MemberSetBuilder();
        foreach (var id in sorted) inOrder.Add(id);
        var tailOutOfOrder = new MemberSetBuilder();
        foreach (var id in sorted.Append(sorted[0])) tailOutOfOrder.Add(id);

        Assert.Equal(sorted, inOrder.Build());
        Assert.Equal(sorted, tailOutOfOrder.Build());
    }

    [Fact]
    public void An_empty_builder_builds_the_empty_set()
    {
        Assert.Same(MemberSet.Empty, new MemberSetBuilder().Build());
    }

    [Fact]
    public void The_builder_can_be_built_again_after_more_members()
    {
        var builder = new MemberSetBuilder();
        builder.Add("b");
        var first = builder.Build();
        builder.Add("a");

        var second = builder.Build();

        Assert.Equal(new[] { "b" }, first);
        Assert.Equal(new[] { "a", "b" }, second);
    }
}
