using CohortSync.Core.Members;

namespace CohortSync.Core.Tests.Members;

public sealed class MemberSetDiffTests
{
    [Fact]
    public void Equal_sets_have_an_empty_diff()
    {
        var diff = MemberSetDiff.Compute(MemberSet.From(Samples.Users(0, 100)), MemberSet.From(Samples.Users(0, 100)));

        Assert.True(diff.IsEmpty);
    }

    [Fact]
    public void Entrants_are_adds_and_leavers_are_removes()
    {
        var synced = MemberSet.From(Samples.Users(0, 100));
        var desired = MemberSet.From(Samples.Users(10, 100));

        var diff = MemberSetDiff.Compute(desired, synced);

        Assert.Equal(Samples.Sorted(Samples.Users(100, 10)), diff.Adds);
        Assert.Equal(Samples.Sorted(Samples.Users(0, 10)), diff.Removes);
        Assert.False(diff.IsEmpty);
    }

    [Fact]
    public void Against_an_empty_synced_set_everything_is_added()
    {
        var desired = MemberSet.From(["a", "b"]);

        var diff = MemberSetDiff.Compute(desired, MemberSet.Empty);

        Assert.Equal(desired, diff.Adds);
        Assert.Empty(diff.Removes);
    }

    [Fact]
    public void An_empty_cohort_removes_everything()
    {
        var synced = MemberSet.From(["a", "b"]);

        var diff = MemberSetDiff.Compute(MemberSet.Empty, synced);

        Assert.Empty(diff.Adds);
        Assert.Equal(synced, diff.Removes);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Applying_the_diff_to_the_synced_set_gives_the_desired_set(int seed)
    {
        var random = new Random(seed);
        var synced = MemberSet.From(Samples.Awkward(random, 4000));
        var desired = MemberSet.From(Samples.Awkward(random, 4000));

        var diff = MemberSetDiff.Compute(desired, synced);

        Assert.Equal(desired, synced.Apply(diff.Adds, diff.Removes));
        Assert.DoesNotContain(diff.Adds, synced.Contains);
        Assert.All(diff.Removes, id => Assert.False(desired.Contains(id)));
    }
}
