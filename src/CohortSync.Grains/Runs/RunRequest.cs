using CohortSync.Contracts;
using CohortSync.Iterable;

namespace CohortSync.Grains.Runs;

/// <summary>
/// What one run is about and the doors it goes through, made for this run by <c>RunRequestBuilder</c> (or by a
/// test). The clients hold decrypted keys: the request lives only in memory, for the run's duration.
/// </summary>
public sealed record RunRequest(
    string SyncKey,
    string ProjectId,
    string CohortId,
    long? ListId,
    string UserProperty,
    ICohortSource Cohort,
    IListDirectory Lists,
    IterableListClient Iterable,
    int? RequestsInFlight = null,
    RemovalGuard? Guard = null,
    long? ApprovedRemovals = null,
    IMemberChanges? Changes = null,
    long ChangesAfter = 0,
    bool ApplyChanges = false,
    string? CohortName = null,
    IUploadedMembers? Upload = null,
    string? UploadId = null,
    ListOnStop? Stop = null,
    bool RetryRefused = false,
    DateTimeOffset? StartedAt = null,
    bool Reconcile = false,
    bool AdoptKeep = false,
    string? ListName = null,
    ListOnStop? LeaveList = null)
{
    /// <summary>The key the run's downloads are counted and paced under: the project's organisation's, or (null) the project's own.</summary>
    public string? AmplitudeUsageKey { get; init; }

    /// <summary>Whether a run that would remove <paramref name="removes"/> of the <paramref name="listed"/> synced members is held.</summary>
    public bool Holds(long listed, long removes) =>
        removes > (ApprovedRemovals ?? 0) && (Guard ?? RemovalGuard.Default).Holds(listed, removes);

    public override string ToString() => $"RunRequest({SyncKey}, cohort {CohortId}, list {ListId})";
}

/// <summary>What a finished run leaves behind for the sync's state.</summary>
/// <param name="ChangesCursor">
/// For a sync that follows pushed changes: the position up to which they are in the list now (a reconciliation
/// download covers every change stored before it began; an apply covers those it read).
/// </param>
/// <param name="Held">The removal guard held the run before it sent anything; <paramref name="Note"/> says why.</param>
/// <param name="UploadId">The member file the run read instead of a download, if it read one.</param>
/// <remarks><c>RetryRefused</c>: members Iterable refused before are sent again whatever their cooldown (<c>sync run --retry-refused</c>).
/// <c>ListName</c>: the name of the list the sync writes (its real name, kept when the cohort is renamed), null before its first list.
/// <c>StartedAt</c>: the run's start, the clock the refused members' cooldown is measured against.
/// <c>RunRequest.Stop</c> set: the run only empties or deletes the list of a stopped sync (no cohort read, no guard).
/// <c>RunRequest.LeaveList</c> set (<c>sync update --follow-rename</c>): the run first keeps, empties or deletes the sync's list and
/// releases it, then goes on as a first run to a list under the cohort's current name.</remarks>
/// <param name="Reconciled">The run diffed against the list's membership as Iterable listed it (a reconcile), not the synced set.</param>
public sealed record RunResult(string? CohortName, long? ListId, string? ListName, long SyncedCount, string? Note, bool Held = false, long? ChangesCursor = null,
    string? UploadId = null, bool Reconciled = false);

/// <summary>What <see cref="SyncRunner.PreviewAsync"/> found: the counts a run would start from, and samples of the difference.</summary>
public sealed record PreviewResult(
    string CohortName,
    long Synced,
    RunCounts Read,
    long HeldBack,
    long Adds,
    long Removes,
    IReadOnlyList<string> SampleAdds,
    IReadOnlyList<string> SampleRemoves,
    bool WouldBeHeld = false,
    long? Extra = null,
    long? Missing = null);
