using System.Net;
using System.Text;
using System.Text.Json;
using CohortSync.Sandbox;
using Xunit;

namespace CohortSync.Iterable.Tests.Sandbox;

/// <summary>The sandbox's Iterable behaviour that the client tests do not reach.</summary>
public sealed class IterableSandboxApiTests
{
    [Fact]
    public async Task The_underscore_spelling_of_the_key_header_is_accepted()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Iterable.AddApiKey("k");
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        http.DefaultRequestHeaders.Add("Api_Key", "k");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/lists")).StatusCode);
    }

    [Fact]
    public async Task More_subscribers_than_the_limit_are_refused_with_BatchTooLarge()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Iterable.AddApiKey("k");
        var listId = sandbox.Iterable.CreateList("k", "l");
        using var http = Http(sandbox);
        var subscribers = string.Join(",", Enumerable.Range(0, 1001).Select(i => $$"""{"userId":"u{{i}}"}"""));

        var response = await http.PostAsync("/api/lists/subscribe", Json($$"""{"listId":{{listId}},"subscribers":[{{subscribers}}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("BatchTooLarge", await CodeAsync(response));
        Assert.Empty(sandbox.Iterable.GetListMembers("k", listId));
    }

    [Theory]
    [InlineData("""{"listId":1,"subscribers":[{"userId":"a"}""", "BadJsonBody")]
    [InlineData("""{"listId":"1","subscribers":[{"userId":"a"}]}""", "BadJsonBody")]
    [InlineData("""{"listId":1,"subscribers":[{"userId":5}]}""", "BadJsonBody")]
    [InlineData("""{"listId":1,"subscribers":[{"userId":"a","nickname":"x"}]}""", "BadJsonBody")]
    [InlineData("""{"listId":1,"subscribers":[{"userId":null}]}""", "BadJsonBody")]
    [InlineData("""{"subscribers":[{"userId":"a"}]}""", "BadParams")]
    [InlineData("""{"listId":1}""", "BadParams")]
    [InlineData("""{"listId":1,"subscribers":[{}]}""", "BadParams")]
    public async Task Malformed_subscribe_bodies_are_refused(string body, string code)
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Iterable.AddApiKey("k");
        using var http = Http(sandbox);

        var response = await http.PostAsync("/api/lists/subscribe", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await CodeAsync(response));
    }

    [Fact]
    public async Task Emails_are_stored_lowercased()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Iterable.AddApiKey("k");
        var listId = sandbox.Iterable.CreateList("k", "l");
        using var http = Http(sandbox);

        await http.PostAsync("/api/lists/subscribe", Json($$"""{"listId":{{listId}},"subscribers":[{"email":"Bob@Example.COM"}]}"""));
        var removed = await http.PostAsync("/api/lists/unsubscribe", Json($$"""{"listId":{{listId}},"subscribers":[{"email":"BOB@example.com"}]}"""));

        Assert.Equal(1, JsonDocument.Parse(await removed.Content.ReadAsStringAsync()).RootElement.GetProperty("successCount").GetInt32());
        Assert.Empty(sandbox.Iterable.GetListMembers("k", listId));
    }

    [Fact]
    public async Task Update_existing_users_only_reports_unknown_users_as_not_found()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Iterable.AddApiKey("k");
        var first = sandbox.Iterable.CreateList("k", "first");
        var second = sandbox.Iterable.CreateList("k", "second");
        sandbox.Iterable.AddListMembers("k", first, ["known"]);
        using var http = Http(sandbox);

        var response = await http.PostAsync("/api/lists/subscribe",
            Json($$"""{"listId":{{second}},"subscribers":[{"userId":"known"},{"userId":"stranger"}],"updateExistingUsersOnly":true}"""));

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("stranger", Assert.Single(body.GetProperty("failedUpdates").GetProperty("notFoundUserIds").EnumerateArray()).GetString());
        Assert.Equal(["known"], sandbox.Iterable.GetListMembers("k", second));
    }

    [Fact]
    public async Task Lists_come_newest_first_and_size_and_getUsers_are_text()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        sandbox.Iterable.AddApiKey("k");
        var older = sandbox.Iterable.CreateList("k", "older");
        var newer = sandbox.Iterable.CreateList("k", "newer");
        sandbox.Iterable.AddListMembers("k", newer, ["b", "a"]);
        using var http = Http(sandbox);

        var lists = JsonDocument.Parse(await http.GetStringAsync("/api/lists")).RootElement.GetProperty("lists");
        var users = await http.GetAsync($"/api/lists/getUsers?listId={newer}");

        Assert.Equal([newer, older], lists.EnumerateArray().Select(list => list.GetProperty("id").GetInt64()));
        Assert.True(lists[0].GetProperty("createdAt").GetInt64() > lists[1].GetProperty("createdAt").GetInt64());
        Assert.Equal("text/plain", users.Content.Headers.ContentType?.MediaType);
        Assert.Equal("a\nb\n", await users.Content.ReadAsStringAsync());
        Assert.Equal("2", await http.GetStringAsync($"/api/lists/{newer}/size"));
    }

    [Fact]
    public async Task Projects_do_not_see_each_others_lists_but_a_second_key_shares_its_project()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        var project = sandbox.Iterable.AddApiKey("first");
        sandbox.Iterable.AddApiKey("other");
        Assert.Equal(project, sandbox.Iterable.AddApiKey("rotated", project));
        var listId = sandbox.Iterable.CreateList("first", "l");

        Assert.Empty(sandbox.Iterable.GetLists("other"));
        Assert.Equal(listId, Assert.Single(sandbox.Iterable.GetLists("rotated")).Id);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient Http(SandboxServer sandbox)
    {
        var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        http.DefaultRequestHeaders.Add("Api-Key", "k");
        return http;
    }
}
