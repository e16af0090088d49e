using CohortSync.Core.Members;
using CohortSync.Core.Runs;
using CohortSync.Core.Tests.Members;

namespace CohortSync.Core.Tests.Runs;

public sealed class MemberBatchesTests
{
    [Fact]
    public void Batches_hold_at_most_the_batch_size_and_cover_every_member_in_order()
    {
        var members = MemberSet.From(Samples.Users(0, 2500));

        var batches = MemberBatches.Split(members, 1000).ToList();

        Assert.Equal(new[] { 1000, 1000, 500 }, batches.Select(b => b.Length));
        Assert.Equal(members, batches.SelectMany(b => b));
        Assert.Equal(3, MemberBatches.Count(2500));
    }

    [Fact]
    public void A_batch_ends_before_its_body_would_pass_the_byte_limit()
    {
        var members = MemberSet.From(Samples.Users(0, 100));

        var batches = MemberBatches.Split(members, 1000, maxBytes: 200).ToList();

        Assert.True(batches.Count > 1);
        Assert.All(batches, b => Assert.True(b.Sum(id => id.Length + 14) <= 200));
        Assert.Equal(members, batches.SelectMany(b => b));
    }

    [Fact]
    public void No_members_make_no_batches()
    {
        Assert.Empty(MemberBatches.Split(MemberSet.Empty));
    }
}
