namespace CohortSync.Iterable.Delivery;

/// <summary>
/// Spaces one Iterable project's list reads (getUsers, size: 5 requests a minute each per project) so that no minute
/// holds more than <c>perMinute</c> of them: every caller is given the next free slot, a little over a minute's share
/// after the one before, and waits for it itself. A 429 (another tool reading the same project, a slot missed by
/// jitter) moves the next slot past the pause it asks for. Both endpoints share one queue: the stricter reading of the limit.
/// Not thread-safe: its owner (a grain) calls it one turn at a time.
/// </summary>
public sealed class ListReadPacer(int perMinute, TimeProvider time)
{
    // A twentieth more than the share: a request that reaches Iterable late never lands inside the previous minute.
    private readonly TimeSpan _interval = TimeSpan.FromMinutes(1.05 / Math.Max(1, perMinute));
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public TimeSpan Interval => _interval;

    /// <summary>Reserves the next slot: how long from now the caller waits before it sends.</summary>
    public TimeSpan Reserve()
    {
        var now = time.GetUtcNow();
        var slot = _next > now ? _next : now;
        _next = slot + _interval;
        return slot - now;
    }

    /// <summary>A list read was answered 429: nobody reads before the pause (Retry-After, else one interval) has passed.</summary>
    public void RateLimited(TimeSpan? retryAfter)
    {
        var pause = retryAfter is { } asked && asked > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Min(asked.Ticks, TimeSpan.FromMinutes(1).Ticks)) : _interval;
        var after = time.GetUtcNow() + pause;
        if (after > _next) _next = after;
    }
}
