using CohortSync.Iterable.Errors;
using CohortSync.Sandbox.Iterable;
using Xunit;

namespace CohortSync.Iterable.Tests.Client;

public sealed class IterableListClientTests
{
    private const string ListName = "[Amplitude] Power users";

    [Fact]
    public async Task Find_or_create_creates_the_list_once_and_then_finds_it()
    {
        await using var bed = await IterableTestBed.StartAsync();

        Assert.Null(await bed.Client.FindListByNameAsync(ListName));
        var created = await bed.Client.CreateListAsync(ListName);
        var found = await bed.Client.FindListByNameAsync(ListName);

        Assert.Equal(created, found);
        var list = Assert.Single(await bed.Client.GetListsAsync());
        Assert.Equal(ListName, list.Name);
        Assert.True(list.IsStandard);
    }

    [Fact]
    public async Task Find_by_name_picks_the_oldest_of_lists_sharing_the_name()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var oldest = bed.Sandbox.Iterable.CreateList(bed.ApiKey, ListName);
        bed.Sandbox.Iterable.CreateList(bed.ApiKey, ListName);
        bed.Sandbox.Iterable.CreateList(bed.ApiKey, ListName + " (copy)");

        Assert.Equal(oldest, await bed.Client.FindListByNameAsync(ListName));
    }

    [Fact]
    public async Task Find_by_name_is_exact_and_case_sensitive()
    {
        await using var bed = await IterableTestBed.StartAsync();
        bed.Sandbox.Iterable.CreateList(bed.ApiKey, ListName.ToUpperInvariant());
        bed.Sandbox.Iterable.CreateList(bed.ApiKey, ListName + " ");

        Assert.Null(await bed.Client.FindListByNameAsync(ListName));
    }

    [Fact]
    public async Task Subscribe_of_a_full_batch_puts_every_member_in_the_list()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);
        var userIds = Enumerable.Range(0, IterableLimits.MaxSubscribersPerRequest).Select(i => $"user-{i:D5}").ToArray();

        var outcome = await bed.Client.SubscribeAsync(listId, userIds);

        Assert.Equal(1000, outcome.SucceededCount);
        Assert.Equal(0, outcome.FailedCount);
        Assert.Equal(userIds, outcome.Acknowledged(userIds));
        Assert.Equal(userIds.Order(StringComparer.Ordinal), (await bed.Client.GetListUserIdsAsync(listId)).Order(StringComparer.Ordinal));
        var write = Assert.Single(bed.Sandbox.Requests.Snapshot(), entry => entry.Path == "/api/lists/subscribe");
        Assert.Equal(1000, write.SubscriberCount);
    }

    [Fact]
    public async Task A_batch_above_the_limit_is_refused_before_anything_is_sent()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var userIds = Enumerable.Range(0, IterableLimits.MaxSubscribersPerRequest + 1).Select(i => $"u{i}").ToArray();

        await Assert.ThrowsAsync<ArgumentException>(() => bed.Client.SubscribeAsync(42, userIds));
        await Assert.ThrowsAsync<ArgumentException>(() => bed.Client.UnsubscribeAsync(42, userIds));
        Assert.Empty(bed.Recorder.Requests);
    }

    [Fact]
    public async Task An_empty_batch_sends_no_request()
    {
        await using var bed = await IterableTestBed.StartAsync();

        var subscribed = await bed.Client.SubscribeAsync(42, []);
        var unsubscribed = await bed.Client.UnsubscribeAsync(42, []);

        Assert.Equal(0, subscribed.SucceededCount + unsubscribed.SucceededCount);
        Assert.Empty(bed.Recorder.Requests);
    }

    [Fact]
    public async Task Unsubscribe_of_a_non_member_reports_not_found_and_counts_it_as_removed()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);
        await bed.Client.SubscribeAsync(listId, ["alice", "bob"]);

        string[] sent = ["alice", "carol"];
        var outcome = await bed.Client.UnsubscribeAsync(listId, sent);

        Assert.Equal(1, outcome.SucceededCount);
        Assert.Equal(["carol"], outcome.NotFound);
        Assert.Equal(sent, outcome.Acknowledged(sent));
        Assert.Equal(["bob"], await bed.Client.GetListUserIdsAsync(listId));
    }

    [Fact]
    public async Task Unsubscribe_sends_channelUnsubscribe_false()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);

        await bed.Client.UnsubscribeAsync(listId, ["alice"]);

        var entry = Assert.Single(bed.Sandbox.Requests.Snapshot(), e => e.Path == "/api/lists/unsubscribe");
        Assert.False(entry.ChannelUnsubscribe);
        Assert.Equal(["alice"], entry.UserIds);
    }

    [Fact]
    public async Task Invalid_userIds_are_classified_and_not_acknowledged()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);
        string[] invalid = ["", "   ", " padded", "padded ", new string('x', 53), "caf\u00e9", "tab\there"];
        string[] sent = ["ok-1", .. invalid, new string('y', 52)];

        var outcome = await bed.Client.SubscribeAsync(listId, sent);

        Assert.Equal(invalid.Order(StringComparer.Ordinal), outcome.Invalid.Order(StringComparer.Ordinal));
        Assert.Equal(invalid.Length, outcome.FailedCount);
        Assert.Equal(["ok-1", new string('y', 52)], outcome.Acknowledged(sent));
        Assert.Equal(2, (await bed.Client.GetListUserIdsAsync(listId)).Count);
    }

    [Fact]
    public async Task Forgotten_conflicting_and_invalid_data_users_are_rejected_each_with_its_reason()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);
        bed.Sandbox.Iterable.MarkUsers(bed.ApiKey, IterableUserMark.Forgotten, ["gone"]);
        bed.Sandbox.Iterable.MarkUsers(bed.ApiKey, IterableUserMark.Conflict, ["twin"]);
        bed.Sandbox.Iterable.MarkUsers(bed.ApiKey, IterableUserMark.InvalidData, ["odd"]);
        string[] sent = ["fine", "gone", "twin", "odd"];

        var outcome = await bed.Client.SubscribeAsync(listId, sent);

        Assert.Equal(["gone"], outcome.Forgotten);
        Assert.Equal(["twin"], outcome.Conflict);
        Assert.Equal(["odd"], outcome.InvalidData);
        Assert.Equal(["fine"], outcome.Acknowledged(sent));
        Assert.Equal(["fine"], await bed.Client.GetListUserIdsAsync(listId));
    }

    [Fact]
    public async Task UserIds_are_case_sensitive()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);

        await bed.Client.SubscribeAsync(listId, ["Alice", "alice"]);
        var outcome = await bed.Client.UnsubscribeAsync(listId, ["ALICE"]);

        Assert.Equal(["ALICE"], outcome.NotFound);
        Assert.Equal(["Alice", "alice"], await bed.Client.GetListUserIdsAsync(listId));
    }

    [Fact]
    public async Task An_unknown_key_raises_an_auth_error_that_does_not_reveal_the_key()
    {
        await using var bed = await IterableTestBed.StartAsync();
        const string wrongKey = "wrong-key-0123456789abcdef";
        var client = bed.Factory.Create(bed.Sandbox.BaseUrl, wrongKey);

        var error = await Assert.ThrowsAsync<IterableAuthException>(() => client.GetListsAsync());

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("BadApiKey", error.IterableCode);
        Assert.DoesNotContain(wrongKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("abcdef", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_raises_an_auth_error_on_writes_too()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);
        bed.Sandbox.Iterable.RevokeApiKey(bed.ApiKey);

        var error = await Assert.ThrowsAsync<IterableAuthException>(() => bed.Client.SubscribeAsync(listId, ["alice"]));

        Assert.DoesNotContain(bed.ApiKey, error.ToString(), StringComparison.Ordinal);
        Assert.Single(bed.Recorder.Requests, request => request.Uri.AbsolutePath == "/api/lists/subscribe");
    }

    [Fact]
    public async Task Subscribe_to_an_unknown_list_raises_list_not_found()
    {
        await using var bed = await IterableTestBed.StartAsync();

        var error = await Assert.ThrowsAsync<IterableListNotFoundException>(() => bed.Client.SubscribeAsync(987654, ["alice"]));

        Assert.Equal(987654, error.ListId);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task A_list_deleted_in_Iterable_raises_list_not_found_on_every_list_call()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);
        Assert.True(bed.Sandbox.Iterable.DeleteList(bed.ApiKey, listId));

        await Assert.ThrowsAsync<IterableListNotFoundException>(() => bed.Client.GetListUserIdsAsync(listId));
        await Assert.ThrowsAsync<IterableListNotFoundException>(() => bed.Client.UnsubscribeAsync(listId, ["alice"]));
        await Assert.ThrowsAsync<IterableListNotFoundException>(() => bed.Client.DeleteListAsync(listId));
    }

    [Fact]
    public async Task Delete_removes_the_list()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var listId = await bed.Client.CreateListAsync(ListName);

        await bed.Client.DeleteListAsync(listId);

        Assert.Empty(await bed.Client.GetListsAsync());
    }

    [Fact]
    public async Task A_new_list_that_is_not_visible_yet_raises_list_not_found_then_accepts_subscribers()
    {
        await using var bed = await IterableTestBed.StartAsync(new() { IterableFaults = new IterableFaults { NotReadySubscribesAfterCreate = 1 } });
        var listId = await bed.Client.CreateListAsync(ListName);

        await Assert.ThrowsAsync<IterableListNotFoundException>(() => bed.Client.SubscribeAsync(listId, ["alice"]));
        var outcome = await bed.Client.SubscribeAsync(listId, ["alice"]);

        Assert.Equal(1, outcome.SucceededCount);
    }
}
