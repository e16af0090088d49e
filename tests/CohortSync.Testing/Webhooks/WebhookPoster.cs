using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CohortSync.Testing.Webhooks;

/// <summary>What a silo answered to one webhook post: the status and the JSON body.</summary>
public sealed record WebhookAnswer(HttpStatusCode Status, JsonNode? Body)
{
    public bool Duplicate => Body?["duplicate"]?.GetValue<bool>() ?? false;
    public int Applied => Body?["applied"]?.GetValue<int>() ?? 0;
    public int Stale => Body?["stale"]?.GetValue<int>() ?? 0;
    public int Skipped => Body?["skipped"]?.GetValue<int>() ?? 0;
    public string? Error => Body?["error"]?.GetValue<string>();
}

/// <summary>
/// Posts Amplitude cohort webhook batches to a silo's <c>/webhooks/amplitude/{projectId}</c> over loopback, in the
/// shape Amplitude sends (apis.md §2.2): <c>computed_time</c> as an epoch-seconds string, a <c>message_id</c> per batch.
/// </summary>
public sealed class WebhookPoster(int httpPort, string projectId, string? token) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    private long _clock = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public string Path => $"/webhooks/amplitude/{projectId}";

    /// <summary>One batch; <paramref name="computedTime"/> defaults to a second after the previous batch's.</summary>
    public static JsonObject Batch(string cohortId, bool inCohort, IEnumerable<string> userIds, long computedTime, string? messageId = null,
        Func<string, JsonObject>? properties = null) => new()
        {
            ["cohort_name"] = $"Cohort {cohortId}",
            ["cohort_id"] = cohortId,
            ["in_cohort"] = inCohort,
            ["computed_time"] = computedTime.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["message_id"] = messageId ?? $"{Guid.NewGuid()}::{(inCohort ? "enter" : "exit")}::0",
            ["users"] = new JsonArray(userIds.Select(id => (JsonNode)new JsonObject
            {
                ["user_id"] = id,
                ["user_properties"] = properties?.Invoke(id) ?? new JsonObject(),
            }).ToArray()),
        };

    public Task<WebhookAnswer> EnterAsync(string cohortId, params string[] userIds) => PostAsync(Batch(cohortId, true, userIds, Tick()));

    public Task<WebhookAnswer> ExitAsync(string cohortId, params string[] userIds) => PostAsync(Batch(cohortId, false, userIds, Tick()));

    public Task<WebhookAnswer> PostAsync(JsonObject batch) => PostRawAsync(Encoding.UTF8.GetBytes(batch.ToJsonString()));

    public async Task<WebhookAnswer> PostRawAsync(byte[] body, string? tokenOverride = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if ((tokenOverride ?? token) is { } bearer) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (JsonException)
        {
            // Not JSON: the status says enough.
        }
        return new WebhookAnswer(response.StatusCode, json);
    }

    /// <summary>The next computed_time: one second after the last, so batches sent in order are computed in order.</summary>
    public long Tick() => Interlocked.Increment(ref _clock);

    public void Dispose() => _http.Dispose();
}
