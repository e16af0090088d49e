using CohortSync.Contracts;

namespace CohortSync.Client.Tests;

/// <summary>Records as the cluster would return them, for rendering tests.</summary>
public static class Samples
{
    public static readonly DateTimeOffset Created = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static ProjectInfo Project(bool enabled = true) =>
        new("acme", enabled, "https://amplitude.com", "…x9Qz", Destinations: 1, Syncs: 2, enabled ? Created : null,
            new AmplitudeDownloads("2025-03", Used: 12, Projected: 120, Quota: 500, Warning: null));

    public static DestinationInfo Destination() =>
        new("acme", "d1", "Iterable US", "https://api.iterable.com", "…k3y9", "user_id", DestinationHealth.Healthy, null, Created);

    public static RunCounts Counts() => new()
    {
        CohortRows = 1300,
        Skipped = 1,
        Invalid = 2,
        Malformed = 0,
        Desired = 1297,
        PlannedAdds = 30,
        PlannedRemoves = 4,
        Added = 28,
        Removed = 4,
        Rejected = new Dictionary<string, long> { ["invalidData"] = 2 },
        RejectedSample = ["bad@"],
        Requests = 2,
        Retries = 1,
    };

    public static RunRecord Run(long number = 3, RunOutcome outcome = RunOutcome.Succeeded, string? reason = null) =>
        new(number, "cadence", Created.AddHours(1), outcome == RunOutcome.Running ? null : Created.AddHours(1).AddSeconds(42),
            outcome, reason, outcome == RunOutcome.Running ? RunPhase.Pushing : RunPhase.Finished, Counts());

    public static SyncInfo Sync(RunRecord? last = null, RunRecord? active = null, SyncState state = SyncState.Scheduled) =>
        new("acme", "s1", "coh42", "Power users", "d1", "hourly", state, null, 1234, "[Amplitude] Power users", 1297,
            Created.AddHours(2), last, active, Created);
}
