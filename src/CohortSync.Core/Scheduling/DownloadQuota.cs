using System.Globalization;

namespace CohortSync.Core.Scheduling;

/// <summary>
/// Amplitude's monthly cohort download quota (500 requests a month on Growth and Enterprise plans): how many
/// downloads a cadence needs, how many a project is on course for, and the warning when that is too many.
/// Every run requests one download; a month here is the calendar month in UTC.
/// </summary>
public static class DownloadQuota
{
    public const int AmplitudeDefault = 500;

    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    /// <summary>The month a download counts in, as <c>yyyy-MM</c> (UTC).</summary>
    public static string MonthOf(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The first instant (UTC) of the month after <paramref name="time"/>'s: when Amplitude's monthly quota starts afresh.</summary>
    public static DateTimeOffset NextMonthStart(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
    }

    /// <summary>Downloads a sync running every <paramref name="period"/> makes in a 30-day month; a zero period (<c>once</c>) makes one.</summary>
    public static int PerMonth(TimeSpan period) =>
        period > TimeSpan.Zero ? (int)Math.Min(int.MaxValue, Math.Ceiling(Month / period)) : 1;

    /// <summary>
    /// Downloads by the end of <paramref name="now"/>'s month at the pace of those made so far. The pace is taken
    /// over at least one day, so the first runs of a month do not project a storm.
    /// </summary>
    public static int Projected(int usedThisMonth, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var start = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = start.AddMonths(1);
        var elapsed = Math.Max((utc - start).TotalDays, 1);
        var remaining = (end - utc).TotalDays;
        return (int)Math.Min(int.MaxValue, Math.Ceiling(usedThisMonth + usedThisMonth / elapsed * remaining));
    }

    /// <summary>
    /// Downloads by the end of <paramref name="now"/>'s month from the schedule: those made so far, plus what the
    /// syncs' cadences (<paramref name="plannedPerMonth"/> downloads in a 30-day month) make in the days left.
    /// </summary>
    public static int Scheduled(int usedThisMonth, int plannedPerMonth, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var end = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        var remaining = (end - utc).TotalDays;
        return (int)Math.Min(int.MaxValue, usedThisMonth + Math.Ceiling(plannedPerMonth * remaining / 30));
    }

    /// <summary>
    /// Why one sync's cadence alone (<paramref name="cadence"/> as people read it, running every <paramref name="period"/>)
    /// does not fit the quota, or null when it does.
    /// </summary>
    public static string? CadenceWarning(string cadence, TimeSpan period, int quota) => CadenceWarning(cadence, PerMonth(period), quota);

    /// <summary>Why one sync's cadence alone (<paramref name="needed"/> downloads in a 30-day month) does not fit the quota, or null.</summary>
    public static string? CadenceWarning(string cadence, int needed, int quota)
    {
        return needed <= quota ? null
            : $"cadence {cadence} needs about {needed} Amplitude cohort downloads a month, more than the quota of {quota}: "
              + "Amplitude will refuse downloads before the month ends; choose a longer cadence";
    }

    /// <summary>Why a project is on course to exceed the quota this month, or null when it is not.</summary>
    public static string? ProjectWarning(string projectId, int projected, int quota) => Warning($"project {projectId}", projected, quota);

    /// <summary>The warning of <see cref="ProjectWarning"/> for the projects of an organisation together.</summary>
    public static string? OrganisationWarning(string organisation, int projected, int quota) => Warning($"organisation {organisation}", projected, quota);

    private static string? Warning(string subject, int projected, int quota) =>
        projected <= quota ? null
            : $"{subject} is on course for about {projected} Amplitude cohort downloads this month, more than the quota of {quota}: "
              + "Amplitude will refuse downloads before the month ends; lengthen some cadences or stop syncs";
}
