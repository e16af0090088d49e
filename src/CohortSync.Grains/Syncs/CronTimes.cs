namespace CohortSync.Grains.Syncs;

/// <summary>
/// How a cron sync's reminder is set. Its times are not a period apart, so the reminder is aimed at the next one
/// (and again at each after, when a run ends); its period is only a fallback should that aiming fail, and a tick
/// before the sync's next time just aims it again.
/// </summary>
internal static class CronTimes
{
    /// <summary>A reminder's due time must stay under ~49 days; a time further off is reached in legs.</summary>
    public static readonly TimeSpan LongestLeg = TimeSpan.FromDays(30);

    /// <summary>The fallback period is at most a day: a missed aiming costs a day at most.</summary>
    public static readonly TimeSpan LongestFallback = TimeSpan.FromDays(1);

    public static TimeSpan Due(TimeSpan untilNext) => untilNext > LongestLeg ? LongestLeg : untilNext;

    /// <summary>The cron's shortest gap, at least the cluster's minimum cadence (which the reminder service allows) and at most a day.</summary>
    public static TimeSpan Fallback(TimeSpan shortestGap, TimeSpan minimumCadence) =>
        shortestGap < minimumCadence ? minimumCadence : shortestGap > LongestFallback ? LongestFallback : shortestGap;
}
