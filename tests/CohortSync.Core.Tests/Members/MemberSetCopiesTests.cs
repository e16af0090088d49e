using CohortSync.Core.Members;

namespace CohortSync.Core.Tests.Members;

/// <summary>
/// A big run holds as few whole-set copies as it can: a builder of members that came in order hands its arrays over,
/// the sort rents its key and order arrays, and a first run's synced set is its acknowledged set. Pinned by the
/// bytes a call allocates on its thread (a count, not a timing).
/// </summary>
public sealed class MemberSetCopiesTests
{
    private const int Members = 100_000;

    private static string Id(int i) => $"user-{i:D7}";

    [Fact]
    public void Members_added_in_order_become_the_set_without_a_copy()
    {
        var builder = new MemberSetBuilder(Members, Members * Id(0).Length);
        for (var i = 0; i < Members; i++) builder.Add(Id(i));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var set = builder.Build();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A copy would be 1.1 MB of identifiers and 0.4 MB of offsets.
        Assert.InRange(allocated, 0, 4_096);
        Assert.Equal(Members, set.Count);
        Assert.Equal(Id(0), set[0]);
        Assert.Equal(Id(Members - 1), set[^1]);
    }

    [Fact]
    public void Members_added_to_a_builder_after_it_built_leave_the_built_set_as_it_was()
    {
        var builder = new MemberSetBuilder(4, 64);
        foreach (var id in new[] { "a", "b", "c" }) builder.Add(id);
        var set = builder.Build();

        foreach (var id in new[] { "d", "e", "f", "g", "h" }) builder.Add(id);

        Assert.Equal(["a", "b", "c"], set);
        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h"], builder.Build());
    }

    [Fact]
    public void A_set_that_would_keep_much_unused_space_is_trimmed_instead_of_handed_over()
    {
        // Room for 100,000 members, three used: the set keeps its own small arrays, not the builder's big ones.
        var builder = new MemberSetBuilder(Members);
        foreach (var id in new[] { "a", "b", "c" }) builder.Add(id);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var set = builder.Build();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(["a", "b", "c"], set);
        Assert.InRange(allocated, 1, 4_096);
    }

    [Fact]
    public void Sorting_a_big_set_a_second_time_rents_its_key_and_order_arrays_instead_of_allocating_them()
    {
        static MemberSetBuilder Shuffled()
        {
            var builder = new MemberSetBuilder(Members, Members * Id(0).Length);
            for (var i = 0; i < Members; i++) builder.Add(Id((int)((i * 7919L) % Members)));
            return builder;
        }
        Shuffled().Build(); // the pool now holds arrays of this size
        var builder = Shuffled();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var set = builder.Build();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The set itself: 1.1 MB of identifiers and 0.4 MB of offsets; the sort's own keys and order would add 1.2 MB.
        var output = (long)Members * Id(0).Length + (Members + 1) * sizeof(int);
        Assert.InRange(allocated, output, output + 64_000);
        Assert.Equal(Enumerable.Range(0, Members).Select(Id), set);
    }

    [Fact]
    public void The_difference_from_an_empty_set_is_the_other_set_itself()
    {
        var members = MemberSet.From(["a", "b"]);

        Assert.Same(members, MemberSetDiff.Compute(members, MemberSet.Empty).Adds);
        Assert.Empty(MemberSetDiff.Compute(members, MemberSet.Empty).Removes);
        Assert.Same(members, MemberSetDiff.Compute(MemberSet.Empty, members).Removes);
        Assert.Empty(MemberSetDiff.Compute(MemberSet.Empty, members).Adds);
    }

    [Fact]
    public void A_first_run_keeps_its_acknowledged_set_as_the_synced_set_without_a_copy()
    {
        var added = MemberSet.From(["a", "b"]);

        Assert.Same(added, MemberSet.Empty.Apply(added, MemberSet.Empty));
        Assert.Equal(["a", "c"], added.Apply(MemberSet.From(["c"]), MemberSet.From(["b"])));
    }
}
