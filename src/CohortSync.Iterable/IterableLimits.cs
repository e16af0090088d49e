namespace CohortSync.Iterable;

/// <summary>Limits the client enforces before a request leaves the process.</summary>
public static class IterableLimits
{
    /// <summary>
    /// Subscribers per subscribe/unsubscribe call. Iterable documents no cap; 1000 is the figure other
    /// connectors use and keeps a body of 52-character userIds far below the 4 MB request limit.
    /// </summary>
    public const int MaxSubscribersPerRequest = 1000;

    /// <summary>Longest userId Iterable accepts.</summary>
    public const int MaxUserIdLength = 52;
}
