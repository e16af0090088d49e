using CohortSync.Core.Members;

namespace CohortSync.Storage.Snapshots;

/// <summary>
/// Durable home of each sync's synced set: the identifiers Iterable has acknowledged.
/// A base snapshot (sorted, chunked) plus a journal of acknowledged batches appended as a run
/// goes; compaction folds the journal into the base, rewriting only chunks that changed.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>The synced set: the base snapshot with every journal entry applied in order.</summary>
    Task<MemberSet> LoadAsync(string syncKey, CancellationToken cancellationToken);

    /// <summary>Durably records one acknowledged batch (members added to or removed from the list).</summary>
    Task AppendAsync(string syncKey, MemberSet added, MemberSet removed, CancellationToken cancellationToken);

    /// <summary>Replaces the base with <paramref name="current"/> and empties the journal, atomically.</summary>
    Task CompactAsync(string syncKey, MemberSet current, CancellationToken cancellationToken);

    /// <summary>Forgets everything about the sync (list recreated, or sync removed).</summary>
    Task ClearAsync(string syncKey, CancellationToken cancellationToken);
}
