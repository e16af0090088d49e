using System.Net;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Iterable;
using Xunit;

namespace CohortSync.Iterable.Tests.Sandbox;

/// <summary>The /_admin surface over HTTP, through <see cref="SandboxAdminClient"/>, as the demo script uses it.</summary>
public sealed class SandboxAdminTests
{
    [Fact]
    public async Task Admin_calls_manage_keys_lists_members_and_marks_over_http()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);

        var projectId = await admin.AddIterableKeyAsync("key-1");
        Assert.Equal(projectId, await admin.AddIterableKeyAsync("key-2", projectId));
        var listId = await admin.CreateIterableListAsync("key-1", "[Amplitude] Admin");
        await admin.AddIterableListMembersAsync("key-1", listId, ["b", "a"]);
        await admin.MarkIterableUsersAsync("key-1", IterableUserMark.Forgotten, ["gone"]);

        var list = Assert.Single(await admin.GetIterableListsAsync("key-2"));
        Assert.Equal(("[Amplitude] Admin", 2), (list.Name, list.Size));
        Assert.Equal(["a", "b"], await admin.GetIterableListMembersAsync("key-1", listId));

        await admin.DeleteIterableListAsync("key-1", listId);
        Assert.Empty(await admin.GetIterableListsAsync("key-1"));
        var missing = await Assert.ThrowsAsync<HttpRequestException>(() => admin.DeleteIterableListAsync("key-1", listId));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        await admin.RevokeIterableKeyAsync("key-1");
        using var api = new HttpClient { BaseAddress = sandbox.BaseUrl };
        api.DefaultRequestHeaders.Add("Api-Key", "key-1");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/lists")).StatusCode);
    }

    [Fact]
    public async Task Marked_users_are_refused_by_subscribe()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        await admin.AddIterableKeyAsync("k");
        var listId = await admin.CreateIterableListAsync("k", "l");
        await admin.MarkIterableUsersAsync("k", IterableUserMark.Conflict, ["twin"]);
        var client = new IterableListClient(new HttpClient { BaseAddress = sandbox.BaseUrl }, "k");

        var outcome = await client.SubscribeAsync(listId, ["twin"]);

        Assert.Equal(["twin"], outcome.Conflict);
    }

    [Fact]
    public async Task The_request_log_is_readable_since_a_sequence_and_clearable()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        await admin.AddIterableKeyAsync("k");
        var client = new IterableListClient(new HttpClient { BaseAddress = sandbox.BaseUrl }, "k");

        await client.GetListsAsync();
        var mark = (await admin.GetRequestsAsync()).Max(entry => entry.Sequence);
        var listId = await client.CreateListAsync("l");
        await client.SubscribeAsync(listId, ["a", "b"]);

        var newer = await admin.GetRequestsAsync(since: mark);
        Assert.Equal(["/api/lists", "/api/lists/subscribe"], newer.Select(entry => entry.Path));
        Assert.Equal((listId, 2, 200), (newer[1].ListId, newer[1].SubscriberCount, newer[1].Status));
        Assert.Equal(["a", "b"], newer[1].UserIds);
        Assert.True(newer.Zip(newer.Skip(1)).All(pair => pair.First.Sequence < pair.Second.Sequence));

        // Reading and clearing the log are not logged themselves.
        await admin.ClearRequestsAsync();
        Assert.Empty(await admin.GetRequestsAsync());
    }

    [Fact]
    public async Task Faults_set_over_http_take_effect_and_reset_restores_everything()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { SeedDemo = true });
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);
        await admin.AddIterableKeyAsync("temporary");
        await admin.CreateIterableListAsync(IterableSandbox.DemoApiKey, "l");
        await admin.SetIterableFaultsAsync(new IterableFaults { ServerErrorBurst = 1 });
        Assert.Equal(1, (await admin.GetIterableFaultsAsync()).ServerErrorBurst);
        var demo = new IterableListClient(new HttpClient { BaseAddress = sandbox.BaseUrl }, IterableSandbox.DemoApiKey);
        await Assert.ThrowsAsync<Errors.IterableTransientException>(() => demo.GetListsAsync());

        await admin.ResetAsync();

        Assert.Equal(IterableFaults.None, await admin.GetIterableFaultsAsync());
        Assert.Empty(await demo.GetListsAsync());
        await Assert.ThrowsAsync<HttpRequestException>(() => admin.GetIterableListsAsync("temporary"));
        Assert.DoesNotContain(await admin.GetRequestsAsync(), entry => entry.Method == "PUT" && entry.Path == "/_admin/faults");
    }

    [Fact]
    public async Task Invalid_faults_over_http_are_refused_with_400()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        var admin = new SandboxAdminClient(http);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => admin.SetIterableFaultsAsync(new IterableFaults { RateLimitPercent = -1 }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }
}
