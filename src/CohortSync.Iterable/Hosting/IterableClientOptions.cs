namespace CohortSync.Iterable.Hosting;

/// <summary>How the "iterable" HttpClient retries transient failures (5xx, timeouts, broken connections).</summary>
public sealed class IterableClientOptions
{
    /// <summary>Retries after the first attempt; 0 turns retrying off.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff; doubles per retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Cap on a single backoff.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One attempt; getUsers of a large list is the slowest call.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>All attempts and backoffs of one call together.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(5);

    internal IEnumerable<string> Problems()
    {
        if (MaxRetries < 0)
        {
            yield return "MaxRetries must be 0 or more.";
        }

        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay)
        {
            yield return "BaseDelay must be 0 or more and MaxDelay at least BaseDelay.";
        }

        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout < AttemptTimeout)
        {
            yield return "AttemptTimeout must be positive and TotalTimeout at least AttemptTimeout.";
        }
    }
}
