using CohortSync.Contracts;
using CohortSync.Core.Runs;

namespace CohortSync.Grains.Syncs;

/// <summary>
/// <c>sync update --follow-rename</c>: when a sync may move to a list under its cohort's current name. The move itself
/// is the next run's (<see cref="CohortSyncState.PendingListMove"/>), so it is journalled and resumed like any run.
/// </summary>
public static class ListMove
{
    /// <summary>
    /// Asks for the move, or throws why it cannot be asked for now. False: it was asked for already (a repeated call
    /// whose answer was lost) and nothing changed.
    /// </summary>
    /// <param name="runActive">A run of the sync is in progress: refused rather than queued, so the operator sees which list the run wrote.</param>
    public static bool Ask(CohortSyncState sync, ListOnStop oldList, bool runActive)
    {
        sync.RequireNotStopped("; a stopped sync's list is not touched again");
        if (sync.PendingListMove is not null) return false;
        if (sync.State is SyncState.Paused or SyncState.Held)
            throw new CohortSyncException(ErrorCodes.InvalidState,
                $"sync {sync.SyncId} is {sync.State.ToString().ToLowerInvariant()}; {(sync.State is SyncState.Held ? "approve or reject its held run" : "resume it")} first");
        if (runActive || sync.ActiveRun is not null)
            throw new CohortSyncException(ErrorCodes.InvalidState,
                $"sync {sync.SyncId} has run #{sync.ActiveRun?.RunNumber} in progress; follow the rename once it has finished (cohortsync sync wait)");
        if (!sync.CohortRenamed)
            throw new CohortSyncException(ErrorCodes.InvalidState, sync.ListName is null
                ? $"sync {sync.SyncId} has no list yet; its first run names it after the cohort, nothing to follow"
                : $"cohort {sync.CohortId} was not renamed (its last run read it as '{sync.CohortName}', which gives the list name {sync.ListName}); nothing changed. A rename made in Amplitude since is seen by the next run (cohortsync sync run)");
        sync.PendingListMove = oldList;
        return true;
    }
}
