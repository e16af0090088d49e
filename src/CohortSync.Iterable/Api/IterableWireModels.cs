using System.Text.Json;
using System.Text.Json.Serialization;

namespace CohortSync.Iterable.Api;

// Wire shapes of Iterable's lists API. Property names follow the official OpenAPI document
// (definitions GetListsResponse, ListDetails, CreateListRequest, CreateListResponse, SubscribeRequest,
// OptionalApiUser, UnsubscribeRequest, Unsubscriber, UserBulkUpdateListResponse, FailedUserUpdates,
// IterableApiResponse). Optional fields are nullable and left out of requests when null; fields the
// spec marks required in answers are [JsonRequired], so a malformed 200 fails loudly instead of reading as zero.

public sealed record GetListsResponse(
    [property: JsonPropertyName("lists"), JsonRequired] IReadOnlyList<ListDetails>? Lists);

public sealed record ListDetails(
    [property: JsonPropertyName("id"), JsonRequired] long Id,
    [property: JsonPropertyName("name"), JsonRequired] string Name,
    // The spec says int32, but real values are epoch milliseconds (e.g. 1625086174615).
    [property: JsonPropertyName("createdAt"), JsonRequired] long CreatedAt,
    [property: JsonPropertyName("listType"), JsonRequired] string ListType,
    [property: JsonPropertyName("description")] string? Description = null);

public sealed record CreateListRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description = null);

public sealed record CreateListResponse(
    [property: JsonPropertyName("listId"), JsonRequired] long ListId);

public sealed record SubscribeRequest(
    [property: JsonPropertyName("listId")] long ListId,
    [property: JsonPropertyName("subscribers")] IReadOnlyList<ApiSubscriber> Subscribers,
    [property: JsonPropertyName("updateExistingUsersOnly")] bool? UpdateExistingUsersOnly = null);

/// <summary>OptionalApiUser in the spec: one subscriber, identified by email or userId.</summary>
public sealed record ApiSubscriber(
    [property: JsonPropertyName("email")] string? Email = null,
    [property: JsonPropertyName("userId")] string? UserId = null,
    [property: JsonPropertyName("dataFields")] JsonElement? DataFields = null,
    [property: JsonPropertyName("preferUserId")] bool? PreferUserId = null,
    [property: JsonPropertyName("mergeNestedObjects")] bool? MergeNestedObjects = null);

public sealed record UnsubscribeRequest(
    [property: JsonPropertyName("listId")] long ListId,
    [property: JsonPropertyName("subscribers")] IReadOnlyList<Unsubscriber> Subscribers,
    [property: JsonPropertyName("campaignId")] long? CampaignId = null,
    [property: JsonPropertyName("channelUnsubscribe")] bool? ChannelUnsubscribe = null);

public sealed record Unsubscriber(
    [property: JsonPropertyName("email")] string? Email = null,
    [property: JsonPropertyName("userId")] string? UserId = null);

public sealed record UserBulkUpdateListResponse(
    [property: JsonPropertyName("successCount"), JsonRequired] int SuccessCount,
    [property: JsonPropertyName("failCount"), JsonRequired] int FailCount,
    [property: JsonPropertyName("createdFields")] IReadOnlyList<string>? CreatedFields = null,
    [property: JsonPropertyName("filteredOutFields")] IReadOnlyList<string>? FilteredOutFields = null,
    [property: JsonPropertyName("invalidEmails")] IReadOnlyList<string>? InvalidEmails = null,
    [property: JsonPropertyName("invalidUserIds")] IReadOnlyList<string>? InvalidUserIds = null,
    [property: JsonPropertyName("failedUpdates")] FailedUserUpdates? FailedUpdates = null);

public sealed record FailedUserUpdates(
    [property: JsonPropertyName("invalidEmails")] IReadOnlyList<string>? InvalidEmails = null,
    [property: JsonPropertyName("invalidUserIds")] IReadOnlyList<string>? InvalidUserIds = null,
    [property: JsonPropertyName("notFoundEmails")] IReadOnlyList<string>? NotFoundEmails = null,
    [property: JsonPropertyName("notFoundUserIds")] IReadOnlyList<string>? NotFoundUserIds = null,
    [property: JsonPropertyName("forgottenEmails")] IReadOnlyList<string>? ForgottenEmails = null,
    [property: JsonPropertyName("forgottenUserIds")] IReadOnlyList<string>? ForgottenUserIds = null,
    [property: JsonPropertyName("conflictEmails")] IReadOnlyList<string>? ConflictEmails = null,
    [property: JsonPropertyName("conflictUserIds")] IReadOnlyList<string>? ConflictUserIds = null,
    [property: JsonPropertyName("invalidDataEmails")] IReadOnlyList<string>? InvalidDataEmails = null,
    [property: JsonPropertyName("invalidDataUserIds")] IReadOnlyList<string>? InvalidDataUserIds = null);

/// <summary>The generic envelope: success bodies of simple operations and most error bodies.</summary>
public sealed record IterableApiResponse(
    [property: JsonPropertyName("msg")] string? Msg,
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("params")] JsonElement? Params = null);
