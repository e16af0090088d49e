using System.Net;

namespace CohortSync.Iterable.Errors;

/// <summary>
/// A call to Iterable failed. Messages carry the status, Iterable's code and message, never the API key;
/// the Refit exception (which holds the request and its headers) is deliberately not kept as the inner exception.
/// </summary>
public abstract class IterableException(string message, HttpStatusCode? statusCode, string? iterableCode, Exception? innerException = null)
    : Exception(message, innerException)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>The <c>code</c> field of Iterable's error envelope, when there was one (e.g. BadApiKey).</summary>
    public string? IterableCode { get; } = iterableCode;
}

/// <summary>401/403 or BadApiKey: the key is wrong, revoked, or lacks the permission. Retrying will not help.</summary>
public sealed class IterableAuthException(string message, HttpStatusCode? statusCode, string? iterableCode)
    : IterableException(message, statusCode, iterableCode);

/// <summary>429: the project's rate limit was hit. The same request may be sent again later.</summary>
public sealed class IterableRateLimitedException(string message, TimeSpan? retryAfter, string? iterableCode)
    : IterableException(message, HttpStatusCode.TooManyRequests, iterableCode)
{
    /// <summary>From the Retry-After header, if Iterable sent one (it usually does not).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The list does not exist (400 with <c>invalidListId</c>); possibly only not yet visible right after creation.</summary>
public sealed class IterableListNotFoundException(string message, long listId, HttpStatusCode? statusCode, string? iterableCode)
    : IterableException(message, statusCode, iterableCode)
{
    public long ListId { get; } = listId;
}

/// <summary>5xx, timeout or broken connection, after the resilience pipeline stopped retrying.</summary>
public sealed class IterableTransientException(string message, HttpStatusCode? statusCode, Exception? innerException = null)
    : IterableException(message, statusCode, iterableCode: null, innerException);

/// <summary>Any other rejection (4xx) or an answer the client could not read.</summary>
public sealed class IterableRequestException(string message, HttpStatusCode? statusCode, string? iterableCode, string? iterableMessage)
    : IterableException(message, statusCode, iterableCode)
{
    /// <summary>The <c>msg</c> field of Iterable's envelope, or the start of a non-JSON body.</summary>
    public string? IterableMessage { get; } = iterableMessage;
}
