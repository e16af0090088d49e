using System.Net;
using CohortSync.Iterable.Delivery;
using CohortSync.Iterable.Errors;
using CohortSync.Sandbox;
using Xunit;

namespace CohortSync.Iterable.Tests.Client;

/// <summary>Reading a list back (getUsers streamed, size) against the sandbox's 5-a-minute limits, and the pacer that keeps under them.</summary>
public sealed class ListReadTests
{
    [Fact]
    public async Task getUsers_streams_every_member_by_userId_and_size_counts_them()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = bed.Sandbox.Iterable.CreateList(bed.ApiKey, "l");
        var members = Enumerable.Range(0, 30_000).Select(i => $"user-{i:D6}").ToArray();
        bed.Sandbox.Iterable.AddListMembers(bed.ApiKey, listId, members);

        var read = new List<string>();
        var count = await bed.Client.ReadListUserIdsAsync(listId, id => read.Add(id.ToString()));
        var size = await bed.Client.GetListSizeAsync(listId);

        Assert.Equal((30_000L, 30_000L), (count, size));
        Assert.Equal(members, read.Order(StringComparer.Ordinal));
        var request = Assert.Single(bed.Sandbox.Requests.Snapshot(), e => e.Path == "/api/lists/getUsers");
        Assert.Contains("preferUserId=true", request.Query);
    }

    [Fact]
    public async Task The_sandbox_answers_the_sixth_getUsers_or_size_of_a_minute_with_429_and_lets_it_through_a_minute_later()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
        await using var bed = await IterableTestBed.StartAsync(new SandboxOptions { TimeProvider = time });
        var listId = bed.Sandbox.Iterable.CreateList(bed.ApiKey, "l");

        for (var i = 0; i < 5; i++)
        {
            await bed.Client.GetListUserIdsAsync(listId);
            await bed.Client.GetListSizeAsync(listId);
        }
        await Assert.ThrowsAsync<IterableRateLimitedException>(() => bed.Client.GetListUserIdsAsync(listId));
        await Assert.ThrowsAsync<IterableRateLimitedException>(() => bed.Client.GetListSizeAsync(listId));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await bed.Client.GetListSizeAsync(listId));
        Assert.Equal(2, bed.Sandbox.Requests.Snapshot().Count(e => e.Status == (int)HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Members_removed_by_hand_leave_the_list()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Iterable.AddApiKey("k");
        var listId = sandbox.Iterable.CreateList("k", "l");
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        await admin.AddIterableListMembersAsync("k", listId, ["a", "b", "c"]);

        await admin.RemoveIterableListMembersAsync("k", listId, ["b", "not-there"]);

        Assert.Equal(["a", "c"], await admin.GetIterableListMembersAsync("k", listId));
    }

    [Fact]
    public void The_pacer_spaces_reads_a_little_over_a_minute_share_apart_and_a_429_pushes_the_queue_back()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
        var pacer = new ListReadPacer(5, time);

        var waits = Enumerable.Range(0, 6).Select(_ => pacer.Reserve()).ToArray();

        Assert.Equal(TimeSpan.FromSeconds(12.6), pacer.Interval);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => pacer.Interval * i), waits);
        // Any six consecutive reads span more than a minute: Iterable never sees a sixth within one.
        Assert.True(waits[5] - waits[0] > TimeSpan.FromMinutes(1));

        time.Advance(TimeSpan.FromSeconds(80));
        pacer.RateLimited(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), pacer.Reserve());
        Assert.Equal(TimeSpan.FromSeconds(30) + pacer.Interval, pacer.Reserve());
    }
}
