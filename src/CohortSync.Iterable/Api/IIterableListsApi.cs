using Refit;

namespace CohortSync.Iterable.Api;

/// <summary>
/// Iterable's static-list endpoints. The key travels in the <c>Api-Key</c> header on every call,
/// so one HttpClient (and its pooled handlers) can serve many destinations.
/// </summary>
public interface IIterableListsApi
{
    [Get("/api/lists")]
    Task<GetListsResponse> GetListsAsync([Header("Api-Key")] string apiKey, CancellationToken cancellationToken);

    [Post("/api/lists")]
    Task<CreateListResponse> CreateListAsync([Header("Api-Key")] string apiKey, [Body] CreateListRequest request, CancellationToken cancellationToken);

    [Post("/api/lists/subscribe")]
    Task<UserBulkUpdateListResponse> SubscribeAsync([Header("Api-Key")] string apiKey, [Body] SubscribeRequest request, CancellationToken cancellationToken);

    [Post("/api/lists/unsubscribe")]
    Task<UserBulkUpdateListResponse> UnsubscribeAsync([Header("Api-Key")] string apiKey, [Body] UnsubscribeRequest request, CancellationToken cancellationToken);

    [Delete("/api/lists/{listId}")]
    Task<IterableApiResponse> DeleteListAsync([Header("Api-Key")] string apiKey, long listId, CancellationToken cancellationToken);

    /// <summary>text/plain, one identifier per line; streamed because a list can hold millions.</summary>
    [Get("/api/lists/getUsers")]
    [Headers("Accept: text/plain")]
    Task<Stream> GetUsersAsync([Header("Api-Key")] string apiKey, [Query, AliasAs("listId")] long listId, CancellationToken cancellationToken);

    /// <summary>
    /// The same with <c>preferUserId=true</c> (spelled in the path: Refit would send a boolean as <c>True</c>): in a hybrid project a member with both is listed by userId, the
    /// identifier CohortSync subscribes with, rather than by email.
    /// </summary>
    [Get("/api/lists/getUsers?preferUserId=true")]
    [Headers("Accept: text/plain")]
    Task<Stream> GetUsersPreferringUserIdAsync([Header("Api-Key")] string apiKey, [Query, AliasAs("listId")] long listId, CancellationToken cancellationToken);

    /// <summary>text/plain: the number of members as a plain integer.</summary>
    [Get("/api/lists/{listId}/size")]
    [Headers("Accept: text/plain")]
    Task<string> GetSizeAsync([Header("Api-Key")] string apiKey, long listId, CancellationToken cancellationToken);
}
