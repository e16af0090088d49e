namespace CohortSync.Core.Scheduling;

/// <summary>
/// How often a project's realtime syncs reconcile by download when they leave it to the engine (<c>auto</c>): their
/// downloads share what is left of 80 % of the monthly quota once the scheduled syncs have taken theirs, each getting
/// the same whole number of days, daily when there is room and up to every 30 days when there is not.
/// </summary>
public static class ReconcilePlan
{
    public const int ShareOfQuotaPercent = 80;
    public static readonly TimeSpan Shortest = TimeSpan.FromDays(1);
    public static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    /// <param name="scheduledPerMonth">Downloads a month of the project's scheduled (non-realtime) syncs.</param>
    /// <param name="realtimeSyncs">Realtime syncs that reconcile on the automatic schedule.</param>
    public static TimeSpan AutoInterval(int quota, int scheduledPerMonth, int realtimeSyncs)
    {
        if (realtimeSyncs <= 0) return Shortest;
        var budget = (long)quota * ShareOfQuotaPercent / 100 - scheduledPerMonth;
        if (budget < realtimeSyncs) return Longest;
        var days = (int)Math.Ceiling(30.0 * realtimeSyncs / budget);
        return TimeSpan.FromDays(Math.Clamp(days, 1, (int)Longest.TotalDays));
    }

    /// <summary>An interval as people read it: "daily", "weekly", "every 4 days", "every 6 hours".</summary>
    public static string Describe(TimeSpan every) => every switch
    {
        _ when every == TimeSpan.FromDays(1) => "daily",
        _ when every == TimeSpan.FromDays(7) => "weekly",
        _ when every.Ticks % TimeSpan.TicksPerDay == 0 => $"every {(long)every.TotalDays} days",
        _ when every == TimeSpan.FromHours(1) => "hourly",
        _ => $"every {(long)every.TotalHours} hours",
    };
}
