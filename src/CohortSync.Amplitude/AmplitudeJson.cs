using System.Text.Json;
using System.Text.Json.Serialization;

namespace CohortSync.Amplitude;

internal sealed record CohortListResponse(
    [property: JsonPropertyName("cohorts")] IReadOnlyList<CohortListItem>? Cohorts);

// Loose types where Amplitude's documentation and real payloads disagree (ids and timestamps as numbers or strings).
internal sealed record CohortListItem(
    [property: JsonPropertyName("id")] JsonElement Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("size")] JsonElement Size,
    [property: JsonPropertyName("archived")] bool? Archived,
    [property: JsonPropertyName("published")] bool? Published,
    [property: JsonPropertyName("lastComputed")] JsonElement LastComputed,
    [property: JsonPropertyName("appId")] JsonElement AppId,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("type")] string? Type);

internal sealed record CohortRequestResponse(
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("cohort_id")] string? CohortId);

internal sealed record RequestStatusResponse(
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("cohort_id")] string? CohortId,
    [property: JsonPropertyName("async_status")] string? AsyncStatus);

internal sealed record AmplitudeErrorResponse(
    [property: JsonPropertyName("error")] AmplitudeError? Error);

internal sealed record AmplitudeError(
    [property: JsonPropertyName("http_code")] int? HttpCode,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("metadata")] AmplitudeErrorMetadata? Metadata);

internal sealed record AmplitudeErrorMetadata(
    [property: JsonPropertyName("details")] string? Details);

[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(CohortListResponse))]
[JsonSerializable(typeof(CohortRequestResponse))]
[JsonSerializable(typeof(RequestStatusResponse))]
[JsonSerializable(typeof(AmplitudeErrorResponse))]
internal sealed partial class AmplitudeJson : JsonSerializerContext;
