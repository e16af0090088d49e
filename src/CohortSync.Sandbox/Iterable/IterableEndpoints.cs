using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CohortSync.Sandbox.RequestLogging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace CohortSync.Sandbox.Iterable;

/// <summary>Iterable's static-list endpoints (/api/lists...), shaped after the official OpenAPI document.</summary>
public static class IterableEndpoints
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapIterableSandbox(this IEndpointRouteBuilder app, IterableSandbox sandbox)
    {
        var api = new IterableApi(sandbox);
        var lists = app.MapGroup("/api/lists").AddEndpointFilter(api.GatekeeperAsync);
        lists.MapGet("", api.GetLists);
        lists.MapPost("", api.CreateList);
        lists.MapPost("/subscribe", api.Subscribe);
        lists.MapPost("/unsubscribe", api.Unsubscribe);
        lists.MapDelete("/{listId}", api.DeleteList);
        lists.MapGet("/getUsers", api.GetUsers);
        lists.MapGet("/{listId}/size", api.GetSize);
        return app;
    }

    /// <summary>Iterable's generic envelope (IterableApiResponse).</summary>
    internal static IResult Envelope(int status, string code, string msg, object? parameters = null) =>
        Results.Json(new { msg, code, @params = parameters }, Json, statusCode: status);

    private sealed class IterableApi(IterableSandbox sandbox)
    {
        private const string PlainTextRateLimitBody = "Rate limit exceeded. Please try again later.";

        /// <summary>Latency, then the key, then the body, then the fault draw; only then the endpoint.</summary>
        public async ValueTask<object?> GatekeeperAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
        {
            var http = invocation.HttpContext;
            // From arrival to answer: what the client sees as one write in flight.
            using var writing = HttpMethods.IsPost(http.Request.Method) && http.Request.Path.StartsWithSegments("/api/lists", out var rest)
                && rest.Value is "/subscribe" or "/unsubscribe" ? sandbox.Writing() : null;
            var faults = sandbox.Faults;
            var latency = faults.LatencyMs + (faults.LatencyJitterMs > 0 ? Random.Shared.Next(faults.LatencyJitterMs + 1) : 0);
            if (latency > 0)
            {
                using var held = sandbox.Hold();
                await Task.Delay(latency, http.RequestAborted);
            }

            var request = http.Request;
            var apiKey = request.Headers["Api-Key"].FirstOrDefault() ?? request.Headers["Api_Key"].FirstOrDefault();
            var project = sandbox.FindProject(apiKey);
            if (project is null)
            {
                return Envelope(StatusCodes.Status401Unauthorized, "BadApiKey", "Invalid API key", new
                {
                    ip = http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1",
                    endpoint = request.Path.Value,
                });
            }

            var details = http.RequestDetails();
            details.ProjectId = project.Id;
            if (HttpMethods.IsPost(request.Method))
            {
                var body = await IterableJsonBody.ReadAsync(request, http.RequestAborted);
                http.Features.Set(body);
                Describe(body, details);
            }

            var fault = sandbox.FaultInjector.Draw(isWrite: !HttpMethods.IsGet(request.Method), project);
            if (fault != IterableFault.None)
            {
                details.Fault = fault.ToString();
                return FaultAnswer(http, fault, faults, project);
            }

            http.Features.Set(project);
            return await next(invocation);
        }

        public IResult GetLists(HttpContext http)
        {
            var lists = Project(http).Lists()
                .Select(list => new ListDetailsWire(list.Id, list.Name, list.CreatedAt, list.ListType, list.Description));
            return Results.Json(new { lists }, Json);
        }

        public IResult CreateList(HttpContext http) => Answer(() =>
        {
            var body = Body(http);
            JsonFields.RejectUnknown(body, "CreateListRequest", "name", "description");
            var name = JsonFields.OptionalString(body, "name");
            if (string.IsNullOrWhiteSpace(name))
            {
                throw IterableBadRequest.Params(name is null ? "Missing required field 'name'" : "Field 'name' must not be blank");
            }

            var description = JsonFields.OptionalString(body, "description");
            var listId = sandbox.CreateList(Project(http), name, description, sandbox.Faults.NotReadySubscribesAfterCreate);
            http.RequestDetails().ListId = listId;
            return Results.Json(new { listId }, Json);
        });

        public IResult Subscribe(HttpContext http) => Answer(() =>
        {
            var body = Body(http);
            JsonFields.RejectUnknown(body, "SubscribeRequest", "listId", "subscribers", "updateExistingUsersOnly");
            var listId = JsonFields.RequiredInt64(body, "listId");
            http.RequestDetails().ListId = listId;
            var subscribers = ReadSubscribers(body, "OptionalApiUser", "email", "userId", "dataFields", "preferUserId", "mergeNestedObjects");
            var updateExistingUsersOnly = JsonFields.OptionalBool(body, "updateExistingUsersOnly") ?? false;

            var (lookup, report) = Project(http).Subscribe(listId, subscribers, updateExistingUsersOnly);
            return Report(listId, lookup, report);
        });

        public IResult Unsubscribe(HttpContext http) => Answer(() =>
        {
            var body = Body(http);
            JsonFields.RejectUnknown(body, "UnsubscribeRequest", "listId", "subscribers", "campaignId", "channelUnsubscribe");
            var listId = JsonFields.RequiredInt64(body, "listId");
            http.RequestDetails().ListId = listId;
            var subscribers = ReadSubscribers(body, "Unsubscriber", "email", "userId");
            JsonFields.OptionalInt64(body, "campaignId");
            JsonFields.OptionalBool(body, "channelUnsubscribe");

            var (lookup, report) = Project(http).Unsubscribe(listId, subscribers);
            return Report(listId, lookup, report);
        });

        public IResult DeleteList(HttpContext http, string listId) => Answer(() =>
        {
            var id = ParseListId(listId);
            http.RequestDetails().ListId = id;
            if (!Project(http).DeleteList(id))
            {
                throw IterableBadRequest.InvalidListId(id);
            }

            return Envelope(StatusCodes.Status200OK, "Success", "");
        });

        public IResult GetUsers(HttpContext http) => Answer(() =>
        {
            var raw = http.Request.Query["listId"].FirstOrDefault() ?? throw IterableBadRequest.Params("Missing required parameter 'listId'");
            var listId = ParseListId(raw);
            var preferUserId = http.Request.Query["preferUserId"].FirstOrDefault();
            if (preferUserId is not null && !bool.TryParse(preferUserId, out _))
            {
                throw IterableBadRequest.Params("Parameter 'preferUserId' must be true or false");
            }

            http.RequestDetails().ListId = listId;
            if (PerMinuteLimited(http, "getUsers") is { } limited)
            {
                return limited;
            }

            var members = Project(http).MemberSnapshot(listId) ?? throw IterableBadRequest.InvalidListId(listId);
            // Streamed in pieces, as Iterable does for lists of millions: the answer is never one string.
            return Results.Stream(async body =>
            {
                var text = new StringBuilder();
                foreach (var member in members)
                {
                    text.Append(member).Append('\n');
                    if (text.Length >= 64 * 1024)
                    {
                        await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), http.RequestAborted);
                        text.Clear();
                    }
                }

                await body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), http.RequestAborted);
            }, "text/plain; charset=utf-8");
        });

        public IResult GetSize(HttpContext http, string listId) => Answer(() =>
        {
            var id = ParseListId(listId);
            http.RequestDetails().ListId = id;
            if (PerMinuteLimited(http, "size") is { } limited)
            {
                return limited;
            }

            var size = Project(http).Size(id) ?? throw IterableBadRequest.InvalidListId(id);
            return Results.Text(size.ToString(CultureInfo.InvariantCulture), "text/plain", Encoding.UTF8);
        });

        /// <summary>The 429 Iterable answers beyond an endpoint's 5 requests a minute per project, or null to go on.</summary>
        private IResult? PerMinuteLimited(HttpContext http, string endpoint)
        {
            var project = Project(http);
            if (project.TryTakePerMinute(endpoint, sandbox.ListReadsPerMinute, sandbox.ListReadWindow))
            {
                return null;
            }

            http.RequestDetails().Fault = "PerMinuteLimit";
            return Envelope(StatusCodes.Status429TooManyRequests, "RateLimitExceeded",
                $"Exceeded rate limit for endpoint: {http.Request.Path.Value}, project: {project.Id} ", new { });
        }

        private IReadOnlyList<SubscriberRef> ReadSubscribers(JsonElement body, string schema, params string[] allowed)
        {
            var array = JsonFields.RequiredArray(body, "subscribers");
            if (array.GetArrayLength() > sandbox.MaxSubscribersPerRequest)
            {
                throw new IterableBadRequest("BatchTooLarge", $"At most {sandbox.MaxSubscribersPerRequest} subscribers per request");
            }

            var subscribers = new List<SubscriberRef>(array.GetArrayLength());
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw IterableBadRequest.Malformed($"Each subscriber must be an object ({schema})");
                }

                JsonFields.RejectUnknown(item, schema, allowed);
                var email = JsonFields.OptionalString(item, "email");
                var userId = JsonFields.OptionalString(item, "userId");
                if (allowed.Contains("dataFields"))
                {
                    JsonFields.OptionalObject(item, "dataFields");
                    JsonFields.OptionalBool(item, "preferUserId");
                    JsonFields.OptionalBool(item, "mergeNestedObjects");
                }

                if (email is null && userId is null)
                {
                    throw IterableBadRequest.Params("Each subscriber needs an email or a userId");
                }

                subscribers.Add(new SubscriberRef(email, userId));
            }

            return subscribers;
        }

        private static IResult Report(long listId, ListLookup lookup, MembershipReport? report) => lookup switch
        {
            ListLookup.Found => Results.Json(report!.ToWire(), Json),
            _ => throw IterableBadRequest.InvalidListId(listId),
        };

        private static IResult Answer(Func<IResult> handle)
        {
            try
            {
                return handle();
            }
            catch (IterableBadRequest bad)
            {
                return Envelope(StatusCodes.Status400BadRequest, bad.Code, bad.Message);
            }
        }

        private static IResult FaultAnswer(HttpContext http, IterableFault fault, IterableFaults faults, IterableProject project)
        {
            if (fault is IterableFault.ServerError or IterableFault.ServerErrorBurst)
            {
                return Envelope(faults.ServerErrorStatus, "GenericError", "Sandbox: injected server error");
            }

            if (faults.RetryAfterSeconds is { } seconds)
            {
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return faults.PlainTextRateLimit
                ? Results.Text(PlainTextRateLimitBody, "text/plain", Encoding.UTF8, StatusCodes.Status429TooManyRequests)
                : Envelope(
                    StatusCodes.Status429TooManyRequests,
                    "RateLimitExceeded",
                    $"Exceeded rate limit for endpoint: {http.Request.Path.Value}, project: {project.Id} ",
                    new { });
        }

        /// <summary>Fills the log entry from the body, whatever happens to the request next.</summary>
        private static void Describe(IterableJsonBody body, RequestDetails details)
        {
            if (body.Root is not { ValueKind: JsonValueKind.Object } root)
            {
                return;
            }

            if (root.TryGetProperty("listId", out var listId) && listId.ValueKind == JsonValueKind.Number && listId.TryGetInt64(out var id))
            {
                details.ListId = id;
            }

            if (root.TryGetProperty("subscribers", out var subscribers) && subscribers.ValueKind == JsonValueKind.Array)
            {
                details.SubscriberCount = subscribers.GetArrayLength();
                details.UserIds = subscribers.EnumerateArray()
                    .Where(item => item.ValueKind == JsonValueKind.Object)
                    .Select(item => item.TryGetProperty("userId", out var userId) && userId.ValueKind == JsonValueKind.String ? userId.GetString()
                        : item.TryGetProperty("email", out var email) && email.ValueKind == JsonValueKind.String ? email.GetString()
                        : null)
                    .OfType<string>()
                    .ToArray();
            }

            if (root.TryGetProperty("channelUnsubscribe", out var channel) && channel.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                details.ChannelUnsubscribe = channel.GetBoolean();
            }
        }

        private static long ParseListId(string raw) =>
            long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? id
                : throw IterableBadRequest.Params($"listId '{raw}' is not an integer");

        private static IterableProject Project(HttpContext http) => http.Features.GetRequiredFeature<IterableProject>();

        private static JsonElement Body(HttpContext http) =>
            (http.Features.Get<IterableJsonBody>() ?? new IterableJsonBody(null, "Missing body")).RequireObject();
    }

    private sealed record ListDetailsWire(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("createdAt")] long CreatedAt,
        [property: JsonPropertyName("listType")] string ListType,
        [property: JsonPropertyName("description"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description);
}
