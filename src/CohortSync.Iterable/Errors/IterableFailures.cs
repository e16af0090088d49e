namespace CohortSync.Iterable.Errors;

/// <summary>What kind of trouble an Iterable call met, as callers act on it.</summary>
public enum IterableFailureKind
{
    /// <summary>401/403 or BadApiKey: retrying will not help; the destination needs a new key.</summary>
    KeyRejected = 1,
    /// <summary>429 after the rate gate stopped waiting.</summary>
    RateLimited = 2,
    /// <summary>5xx, timeout or broken connection after the resilience pipeline stopped retrying.</summary>
    Unavailable = 3,
    /// <summary>A 4xx that is not about the key: the request itself was refused.</summary>
    Refused = 4,
    /// <summary>400 invalidListId: the list does not exist (or not yet).</summary>
    ListNotFound = 5,
}

/// <summary>The one classification of Iterable failures; every caller decides on the kind, never on exception types.</summary>
public static class IterableFailures
{
    private const int MaxDetail = 120;

    /// <summary>The kind of an exception thrown by <see cref="IterableListClient"/>, or null when it is not Iterable's.</summary>
    public static IterableFailureKind? Classify(Exception exception) => exception switch
    {
        IterableAuthException => IterableFailureKind.KeyRejected,
        IterableRateLimitedException => IterableFailureKind.RateLimited,
        IterableListNotFoundException => IterableFailureKind.ListNotFound,
        IterableTransientException or HttpRequestException => IterableFailureKind.Unavailable,
        IterableRequestException => IterableFailureKind.Refused,
        _ => null,
    };

    /// <summary>The exception's message cut to one short line, for a reason a person reads (details stay in the log).</summary>
    public static string Detail(Exception exception)
    {
        var line = exception.Message.Split('\n', 2)[0].Trim();
        return line.Length <= MaxDetail ? line : line[..(MaxDetail - 1)] + "…";
    }
}
