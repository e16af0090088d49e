using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CohortSync.Sandbox.Iterable;
using Xunit;

namespace CohortSync.Iterable.Tests.Contract;

/// <summary>
/// Our client's requests and the sandbox's answers, both held against our contract file (the part of Iterable's
/// OpenAPI document we rely on; <see cref="IterableContractFileTests"/> keeps it in step with the official one).
/// </summary>
public sealed class IterableContractTests
{
    private static readonly IterableOpenApiDocument Document = IterableOpenApiDocument.Load();
    private readonly IterableRequestContract _requests = new(Document);
    private readonly SwaggerSchemaValidator _schemas = new(Document);

    [Fact]
    public async Task Every_request_the_client_sends_matches_the_document()
    {
        await using var bed = await IterableTestBed.StartAsync();
        var client = bed.Client;

        await client.FindListByNameAsync("[Amplitude] Contract");
        var listId = await client.CreateListAsync("[Amplitude] Contract");
        await client.SubscribeAsync(listId, ["alice", "bob"]);
        await client.UnsubscribeAsync(listId, ["bob", "nobody"]);
        await client.GetListUserIdsAsync(listId);
        await client.DeleteListAsync(listId);

        var checkedOperations = new HashSet<string>();
        foreach (var request in bed.Recorder.Requests)
        {
            var (operationId, problems) = _requests.Check(request);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            checkedOperations.Add(operationId!);
        }

        Assert.Equal(["create", "delete", "getLists", "getUsers", "subscribe", "unsubscribe"], checkedOperations.Order());
    }

    [Fact]
    public void The_request_check_catches_requests_that_break_the_document()
    {
        string[] problems =
        [
            .. Problems(Post("/api/lists/subscribe", """{"listId":1,"subscribers":[{"userId":"a"}],"extra":true}""")),
            .. Problems(Post("/api/lists/subscribe", """{"listId":1,"subscribers":[{"userId":"a","email":null}]}""")),
            .. Problems(Post("/api/lists/unsubscribe", """{"subscribers":[{"userId":"a"}]}""")),
            .. Problems(Post("/api/lists/unsubscribe", """{"listId":"1","subscribers":[{"userId":"a"}],"channelUnsubscribe":"no"}""")),
            .. Problems(Post("/api/lists/subscribe", """{"listId":1,"subscribers":[{"userId":"a"}]}""", apiKey: null)),
            .. Problems(Request(HttpMethod.Get, "/api/lists/getUsers?listId=abc&maxResults=10")),
            .. Problems(Request(HttpMethod.Put, "/api/lists")),
        ];

        Assert.Contains(problems, p => p.Contains("$.extra: field not in the schema", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.subscribers[0].email: null", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("required field 'listId' is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.listId: expected an integer", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.channelUnsubscribe: expected a boolean", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("header Api-Key missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("query parameter listId: 'abc' is not a valid integer", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("query parameter maxResults is not in the document", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PUT /api/lists: no such path and method", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sandbox_success_answers_match_the_document()
    {
        await using var bed = await IterableTestBed.StartAsync();
        using var http = Http(bed);
        bed.Sandbox.Iterable.CreateList(bed.ApiKey, "described", "with a description");
        bed.Sandbox.Iterable.MarkUsers(bed.ApiKey, IterableUserMark.Forgotten, ["gone"]);

        using var created = await AssertAnswerAsync(http, HttpMethod.Post, "/api/lists", """{"name":"[Amplitude] Contract","description":"d"}""");
        var listId = created!.RootElement.GetProperty("listId").GetInt64();
        await AssertAnswerAsync(http, HttpMethod.Post, "/api/lists/subscribe",
            $$"""{"listId":{{listId}},"subscribers":[{"userId":"alice","dataFields":{"a":1},"preferUserId":false,"mergeNestedObjects":false},{"userId":" bad"},{"userId":"gone"},{"email":"Bob@Example.com"}],"updateExistingUsersOnly":false}""");
        await AssertAnswerAsync(http, HttpMethod.Post, "/api/lists/unsubscribe",
            $$"""{"listId":{{listId}},"subscribers":[{"userId":"alice"},{"userId":"nobody"}],"campaignId":12,"channelUnsubscribe":false}""");
        await AssertAnswerAsync(http, HttpMethod.Get, "/api/lists", null);
        await AssertAnswerAsync(http, HttpMethod.Get, $"/api/lists/getUsers?listId={listId}&preferUserId=true", null);
        var size = await AssertAnswerAsync(http, HttpMethod.Get, $"/api/lists/{listId}/size", null);
        Assert.Null(size);
        await AssertAnswerAsync(http, HttpMethod.Delete, $"/api/lists/{listId}", null);
    }

    [Fact]
    public async Task Sandbox_error_answers_are_Iterable_envelopes()
    {
        await using var bed = await IterableTestBed.StartAsync();
        using var http = Http(bed);
        using var anonymous = new HttpClient { BaseAddress = bed.Sandbox.BaseUrl };
        var envelope = Document.Definition("IterableApiResponse");

        var unauthorized = await anonymous.GetAsync("/api/lists");
        var badList = await http.PostAsync("/api/lists/subscribe", Json("""{"listId":5,"subscribers":[{"userId":"a"}]}"""));
        var badBody = await http.PostAsync("/api/lists/subscribe", Json("""{"listId":5,"subscribers":[{"userId":"a"}],"nope":1}"""));
        bed.Sandbox.Iterable.Faults = new IterableFaults { RateLimitBurst = 1 };
        var limited = await http.GetAsync("/api/lists");

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badList.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        foreach (var response in new[] { unauthorized, badList, badBody, limited })
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var problems = _schemas.Validate(envelope, body.RootElement, SwaggerSchemaValidator.Direction.Response);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        using var unauthorizedBody = JsonDocument.Parse(await unauthorized.Content.ReadAsStringAsync());
        Assert.Equal("BadApiKey", unauthorizedBody.RootElement.GetProperty("code").GetString());
        Assert.Equal("/api/lists", unauthorizedBody.RootElement.GetProperty("params").GetProperty("endpoint").GetString());
    }

    [Fact]
    public void The_response_check_catches_answers_that_break_the_document()
    {
        var schema = Document.Definition("UserBulkUpdateListResponse");
        using var wrong = JsonDocument.Parse("""{"successCount":"1","failedUpdates":{"notFoundUserIds":[1]},"surprise":[]}""");

        var problems = _schemas.Validate(schema, wrong.RootElement, SwaggerSchemaValidator.Direction.Response);

        Assert.Contains(problems, p => p.Contains("required field 'failCount' is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.successCount: expected an integer", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.failedUpdates.notFoundUserIds[0]: expected a string", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.surprise: field not in the schema", StringComparison.Ordinal));
    }

    /// <summary>Sends a request, checks the 200 answer against the operation's response schema; returns the JSON body (null for text).</summary>
    private async Task<JsonDocument?> AssertAnswerAsync(HttpClient http, HttpMethod method, string path, string? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path} answered {(int)response.StatusCode}: {text}");

        var (_, operation, _) = Document.FindOperation(new Uri(http.BaseAddress!, path).AbsolutePath, method)
                                ?? throw new InvalidOperationException($"{method} {path} is not in the document");
        var schema = operation.GetProperty("responses").GetProperty("200").GetProperty("schema");
        if (schema.TryGetProperty("type", out var type) && type.GetString() == "string")
        {
            // Text answers: the content type follows the operation's "produces" when it declares one.
            if (operation.TryGetProperty("produces", out var produces))
            {
                Assert.Contains(response.Content.Headers.ContentType?.MediaType, produces.EnumerateArray().Select(p => p.GetString()));
            }

            if (path.EndsWith("/size", StringComparison.Ordinal))
            {
                Assert.True(long.TryParse(text, out _), $"size answered '{text}', not a number");
            }

            return null;
        }

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonDocument.Parse(text);
        var problems = _schemas.Validate(schema, document.RootElement, SwaggerSchemaValidator.Direction.Response);
        Assert.True(problems.Count == 0, $"{method} {path}:\n" + string.Join("\n", problems));
        return document;
    }

    private IReadOnlyList<string> Problems(RecordedRequest request) => _requests.Check(request).Problems;

    private static RecordedRequest Post(string path, string body, string? apiKey = "k") =>
        new(HttpMethod.Post, new Uri("http://127.0.0.1" + path), Headers(apiKey), "application/json", body);

    private static RecordedRequest Request(HttpMethod method, string pathAndQuery) =>
        new(method, new Uri("http://127.0.0.1" + pathAndQuery), Headers("k"), null, null);

    private static Dictionary<string, string[]> Headers(string? apiKey) =>
        apiKey is null ? new(StringComparer.OrdinalIgnoreCase) : new(StringComparer.OrdinalIgnoreCase) { ["Api-Key"] = [apiKey] };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient Http(IterableTestBed bed)
    {
        var http = new HttpClient { BaseAddress = bed.Sandbox.BaseUrl };
        http.DefaultRequestHeaders.Add("Api-Key", bed.ApiKey);
        return http;
    }
}
