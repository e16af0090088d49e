namespace CohortSync.Core.Scheduling;

/// <summary>
/// Places each recurring sync at a fixed offset inside its period, derived from a hash of the sync's key,
/// so ten thousand hourly syncs spread over the hour instead of all firing at minute zero.
/// </summary>
public static class CadenceSpread
{
    public static TimeSpan OffsetWithinPeriod(string syncKey, TimeSpan period)
    {
        if (period <= TimeSpan.Zero) return TimeSpan.Zero;
        var hash = Fnv1a64(syncKey);
        return TimeSpan.FromTicks((long)(hash % (ulong)period.Ticks));
    }

    // Stable across processes and machines, unlike string.GetHashCode.
    private static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * 1099511628211UL;
            hash = (hash ^ (byte)(c >> 8)) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>The first slot strictly after <paramref name="now"/>: epoch + offset + k·period.</summary>
    public static DateTimeOffset NextSlotAfter(string syncKey, TimeSpan period, DateTimeOffset now)
    {
        var offset = OffsetWithinPeriod(syncKey, period).Ticks;
        var sinceEpoch = now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks - offset;
        var k = Math.Floor((double)sinceEpoch / period.Ticks) + 1;
        var ticks = DateTimeOffset.UnixEpoch.UtcTicks + offset + (long)k * period.Ticks;
        var slot = new DateTimeOffset(ticks, TimeSpan.Zero);
        return slot <= now ? slot + period : slot;
    }
}
