using CohortSync.Amplitude;

namespace CohortSync.Grains.Runs;

/// <summary>Where a run reads its cohort: found by id, then requested, waited for and read into a sink (one download).</summary>
public interface ICohortSource
{
    /// <summary>The cohort as Amplitude lists it, or null when it does not exist.</summary>
    Task<AmplitudeCohort?> FindAsync(string cohortId, CancellationToken ct);

    /// <summary>One download: the export requested with <paramref name="property"/> (null: <c>user_id</c>), waited for and streamed into <paramref name="sink"/>.</summary>
    Task<CohortReadResult> ReadAsync(string cohortId, string? property, IMemberSink sink, RunTally tally, CancellationToken ct);
}

/// <summary>The lists of the run's Iterable project: the one place a list is found or created (shared cluster-wide).</summary>
public interface IListDirectory
{
    /// <summary>The list of that exact name, created if there is none; <c>Created</c> when this call made it.</summary>
    Task<(long ListId, bool Created)> EnsureAsync(string listName, CancellationToken ct);

    /// <summary>Whether the list exists: "yes" possibly from a lookup of the last few seconds, "no" only from one made after this call.</summary>
    Task<bool> ExistsAsync(long listId, CancellationToken ct);

    /// <summary>After Iterable answered <c>invalidListId</c> for it: whether the list exists, by a lookup made after this call.</summary>
    Task<bool> ExistsAfterRejectionAsync(long listId, CancellationToken ct) => ExistsAsync(listId, ct);

    /// <summary>
    /// The first of <paramref name="names"/> no other sync owns, found or created and owned by <paramref name="owner"/>
    /// from now on. A directory that keeps no owners (a test's) takes the first name.
    /// </summary>
    async Task<(long ListId, bool Created, string Name)> EnsureOwnedAsync(IReadOnlyList<string> names, string owner, CancellationToken ct)
    {
        var (listId, created) = await EnsureAsync(names[0], ct);
        return (listId, created, names[0]);
    }

    /// <summary>Records <paramref name="owner"/> as the owner of a list it already writes; false when another sync owns the name.</summary>
    Task<bool> ClaimAsync(string listName, string owner, CancellationToken ct) => Task.FromResult(true);

    /// <summary>The owner deleted its list: the name is free.</summary>
    Task ReleaseAsync(string listName, string owner, CancellationToken ct) => Task.CompletedTask;
}

/// <summary>A project's permits to download from Amplitude (a few at once, so many per window), held until disposed.</summary>
public interface IDownloadPermits
{
    Task<IAsyncDisposable> EnterAsync(string usageKey, RunTally tally, CancellationToken ct);
}

/// <summary>
/// Membership changes pushed for the run's cohort (Amplitude's cohort webhooks), each member's latest state in the
/// order they were stored: what a <c>realtime</c> sync applies between its reconciliation downloads.
/// </summary>
public interface IMemberChanges
{
    /// <summary>The position of the newest change stored so far (0 when none).</summary>
    Task<long> LatestAsync(CancellationToken ct);

    /// <summary>The changes after <paramref name="after"/>, mapped to Iterable identifiers, up to the position it returns.</summary>
    Task<MemberChangeSet> ReadAsync(long after, CancellationToken ct);
}

/// <param name="Entered">Members whose latest state is in the cohort.</param>
/// <param name="Exited">Members whose latest state is out of it.</param>
/// <param name="Upto">The position of the last change read: the sync's cursor once the run has applied them.</param>
/// <param name="Missing">Changes whose member lacked the mapped property (not applied).</param>
/// <param name="Invalid">Identifiers Iterable would refuse (not applied).</param>
public sealed record MemberChangeSet(Core.Members.MemberSet Entered, Core.Members.MemberSet Exited, long Upto, long Changes, long Missing, long Invalid);
