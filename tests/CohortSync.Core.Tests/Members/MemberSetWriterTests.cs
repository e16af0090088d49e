using System.Text;
using CohortSync.Core.Members;

namespace CohortSync.Core.Tests.Members;

public sealed class MemberSetWriterTests
{
    [Fact]
    public void Appended_members_come_back_in_order_whatever_the_starting_capacity()
    {
        var writer = new MemberSetWriter(1, 0);
        var members = Samples.Sorted(Samples.Users(0, 500));
        foreach (var id in members) writer.Append(Encoding.UTF8.GetBytes(id));

        var set = writer.Build();

        Assert.Equal(500, writer.Count);
        Assert.Equal(members, set);
    }

    [Fact]
    public void A_writer_without_members_builds_the_empty_set()
    {
        Assert.Same(MemberSet.Empty, new MemberSetWriter().Build());
    }

    [Fact]
    public void The_empty_member_is_a_member()
    {
        var writer = new MemberSetWriter();
        writer.Append(""u8);
        writer.Append("a"u8);

        Assert.Equal(new[] { "", "a" }, writer.Build());
    }
}
