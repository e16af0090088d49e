using System.Net;
using System.Text;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Iterable;
using Xunit;

namespace CohortSync.Iterable.Tests.Sandbox;

public sealed class IterableSandboxFaultTests
{
    [Fact]
    public async Task Faulted_writes_change_nothing_and_are_logged_with_status_fault_and_payload()
    {
        await using var sandbox = await SandboxServer.StartAsync();
        const string key = "k";
        sandbox.Iterable.AddApiKey(key);
        var listId = sandbox.Iterable.CreateList(key, "list");
        sandbox.Iterable.Faults = new IterableFaults { RateLimitBurst = 1, ServerErrorBurst = 1 };
        using var http = Http(sandbox, key);

        var limited = await http.PostAsync("/api/lists/subscribe", Json($$"""{"listId":{{listId}},"subscribers":[{"userId":"a"}]}"""));
        var failed = await http.PostAsync("/api/lists/subscribe", Json($$"""{"listId":{{listId}},"subscribers":[{"userId":"a"}]}"""));
        var created = await http.PostAsync("/api/lists", Json("""{"name":"after"}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Empty(sandbox.Iterable.GetListMembers(key, listId));
        var writes = sandbox.Requests.Snapshot().Where(entry => entry.Path == "/api/lists/subscribe").ToArray();
        Assert.Equal([(429, "RateLimitBurst"), (500, "ServerErrorBurst")], writes.Select(entry => (entry.Status, entry.Fault!)));
        Assert.All(writes, entry => Assert.Equal((listId, 1, "a"), (entry.ListId!.Value, entry.SubscriberCount!.Value, Assert.Single(entry.UserIds!))));
    }

    [Fact]
    public async Task A_seeded_fault_percentage_replays_the_same_sequence()
    {
        var faults = new IterableFaults { RateLimitPercent = 30, ServerErrorPercent = 20, Seed = 7 };

        var first = await StatusesAsync(faults, 40);
        var second = await StatusesAsync(faults, 40);

        Assert.Equal(first, second);
        Assert.Contains(200, first);
        Assert.Contains(429, first);
        Assert.Contains(500, first);
    }

    [Fact]
    public async Task Writes_only_faults_leave_reads_alone()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            IterableFaults = new IterableFaults { WritesOnly = true, RateLimitPercent = 100 },
        });
        sandbox.Iterable.AddApiKey("k");
        using var http = Http(sandbox, "k");

        var read = await http.GetAsync("/api/lists");
        var write = await http.PostAsync("/api/lists", Json("""{"name":"x"}"""));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, write.StatusCode);
        Assert.Empty(sandbox.Iterable.GetLists("k"));
    }

    [Fact]
    public async Task Requests_past_the_project_rate_are_answered_429_until_time_passes()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            TimeProvider = time,
            IterableFaults = new IterableFaults { RequestsPerSecondPerProject = 2 },
        });
        sandbox.Iterable.AddApiKey("busy");
        sandbox.Iterable.AddApiKey("quiet");
        using var busy = Http(sandbox, "busy");
        using var quiet = Http(sandbox, "quiet");

        var burst = new[] { await busy.GetAsync("/api/lists"), await busy.GetAsync("/api/lists"), await busy.GetAsync("/api/lists") };
        var otherProject = await quiet.GetAsync("/api/lists");
        time.Advance(TimeSpan.FromSeconds(1));
        var later = await busy.GetAsync("/api/lists");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], burst.Select(r => r.StatusCode));
        Assert.Equal(HttpStatusCode.OK, otherProject.StatusCode);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        var body = await burst[2].Content.ReadAsStringAsync();
        Assert.Contains("Exceeded rate limit for endpoint: /api/lists, project: ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_list_answers_invalidListId_to_its_first_subscribes_only()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            IterableFaults = new IterableFaults { NotReadySubscribesAfterCreate = 2 },
        });
        sandbox.Iterable.AddApiKey("k");
        using var http = Http(sandbox, "k");
        var created = await http.PostAsync("/api/lists", Json("""{"name":"fresh"}"""));
        var listId = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("listId").GetInt64();
        var subscribe = $$"""{"listId":{{listId}},"subscribers":[{"userId":"a"}]}""";

        var first = await http.PostAsync("/api/lists/subscribe", Json(subscribe));
        var second = await http.PostAsync("/api/lists/subscribe", Json(subscribe));
        var third = await http.PostAsync("/api/lists/subscribe", Json(subscribe));

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.OK], new[] { first.StatusCode, second.StatusCode, third.StatusCode });
        Assert.Contains("invalidListId", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["a"], sandbox.Iterable.GetListMembers("k", listId));
    }

    [Fact]
    public async Task A_plain_text_rate_limit_has_no_json_body()
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            IterableFaults = new IterableFaults { RateLimitBurst = 1, PlainTextRateLimit = true, RetryAfterSeconds = 2 },
        });
        sandbox.Iterable.AddApiKey("k");
        using var http = Http(sandbox, "k");

        var response = await http.GetAsync("/api/lists");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Rate limit exceeded. Please try again later.", await response.Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Invalid_fault_settings_are_refused()
    {
        await using var sandbox = await SandboxServer.StartAsync();

        Assert.Throws<ArgumentException>(() => sandbox.Iterable.Faults = new IterableFaults { RateLimitPercent = 150 });
        Assert.Throws<ArgumentException>(() => sandbox.Iterable.Faults = new IterableFaults { ServerErrorStatus = 404 });
        Assert.Equal(IterableFaults.None, sandbox.Iterable.Faults);
    }

    private static async Task<int[]> StatusesAsync(IterableFaults faults, int count)
    {
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { IterableFaults = faults });
        sandbox.Iterable.AddApiKey("k");
        using var http = Http(sandbox, "k");
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
        {
            statuses[i] = (int)(await http.GetAsync("/api/lists")).StatusCode;
        }

        return statuses;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient Http(SandboxServer sandbox, string apiKey)
    {
        var http = new HttpClient { BaseAddress = sandbox.BaseUrl };
        http.DefaultRequestHeaders.Add("Api-Key", apiKey);
        return http;
    }
}
