using CohortSync.Core.Members;
using CohortSync.Storage.Refused;
using CohortSync.Storage.Snapshots;

namespace CohortSync.Grains.Runs;

/// <summary>
/// A sync's synced set and refused members in the snapshot store, as one run reads and journals them. Every call
/// rides out a broken database connection for the cluster-retry window (an append made twice folds to the same set).
/// </summary>
internal sealed class RunJournal(ISnapshotStore store, IRefusedMemberStore refused, string syncKey, ClusterRetry retry, RefusedPolicy policy)
{
    public RefusedMembers Refused { get; } = new(refused, store, syncKey, retry, policy);

    public Task<MemberSet> LoadSyncedAsync(CancellationToken ct) => retry.CallAsync(token => store.LoadAsync(syncKey, token), ct);

    /// <summary>Members Iterable acknowledged as added.</summary>
    public Task AddedAsync(MemberSet added, CancellationToken ct) => retry.CallAsync(token => store.AppendAsync(syncKey, added, MemberSet.Empty, token), ct);

    /// <summary>Members that left the list (or that Iterable will never unsubscribe).</summary>
    public Task RemovedAsync(MemberSet removed, CancellationToken ct) => retry.CallAsync(token => store.AppendAsync(syncKey, MemberSet.Empty, removed, token), ct);

    /// <summary>The list is gone: Iterable holds none of the synced set any more.</summary>
    public Task ClearAsync(CancellationToken ct) => retry.CallAsync(token => store.ClearAsync(syncKey, token), ct);

    public async Task CompactAsync(MemberSet final, CancellationToken ct)
    {
        await retry.CallAsync(token => store.CompactAsync(syncKey, final, token), ct);
        await Refused.CompactAsync(final, ct);
    }
}
