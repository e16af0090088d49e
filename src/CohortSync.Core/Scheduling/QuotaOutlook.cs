namespace CohortSync.Core.Scheduling;

/// <summary>
/// Where a project stands against Amplitude's monthly download quota: used so far, projected to the month's end,
/// and the warning when the projection passes the quota. Plain maths over <see cref="DownloadQuota"/>.
/// </summary>
public sealed record QuotaOutlook(string Month, int Used, int Projected, int Quota, string? Warning)
{
    /// <param name="month">The month <paramref name="used"/> was counted in (<see cref="DownloadQuota.MonthOf"/>).</param>
    /// <param name="addedPerMonth">Downloads a month of a sync about to start, on top of the pace so far.</param>
    /// <param name="organisation">With one, the counts are the organisation's and the warning names it.</param>
    public static QuotaOutlook For(string projectId, string month, int used, DateTimeOffset now, int quota, int addedPerMonth = 0, string? organisation = null)
    {
        var projected = DownloadQuota.Projected(used, now);
        var withAdded = (int)Math.Min(int.MaxValue, (long)projected + addedPerMonth);
        return new QuotaOutlook(month, used, projected, quota, WarningFor(projectId, organisation, withAdded, quota));
    }

    private static string? WarningFor(string projectId, string? organisation, int projected, int quota) => organisation is null
        ? DownloadQuota.ProjectWarning(projectId, projected, quota)
        : DownloadQuota.OrganisationWarning(organisation, projected, quota);

    /// <summary>
    /// The outlook from the project's schedule (<paramref name="plannedPerMonth"/>: its live syncs' downloads a month,
    /// realtime ones at their reconciliation interval), not from the pace so far: many first runs on one day do not
    /// project a storm, and realtime syncs count what they download, not what they push.
    /// </summary>
    public static QuotaOutlook ForSchedule(string projectId, string month, int used, DateTimeOffset now, int quota, int plannedPerMonth, int addedPerMonth = 0, string? organisation = null)
    {
        var projected = DownloadQuota.Scheduled(used, plannedPerMonth, now);
        var withAdded = DownloadQuota.Scheduled(used, plannedPerMonth + addedPerMonth, now);
        return new QuotaOutlook(month, used, projected, quota, WarningFor(projectId, organisation, withAdded, quota));
    }
}
