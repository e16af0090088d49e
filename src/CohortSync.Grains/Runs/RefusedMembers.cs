using CohortSync.Core.Members;
using CohortSync.Storage.Snapshots;

namespace CohortSync.Grains.Runs;

/// <summary>
/// The members of a sync that Iterable refused for good (invalid, conflict, invalidData, forgotten): kept in the
/// snapshot store under a key of their own, so later runs leave them out instead of sending them again.
/// A member that leaves the cohort is forgotten here; a changed identifier is a different member and is sent.
/// </summary>
internal sealed class RefusedMembers(ISnapshotStore store, string syncKey, ClusterRetry retry)
{
    private readonly string _key = syncKey + "#refused";
    private readonly MemberSetBuilder _added = new(0);
    private MemberSet _current = MemberSet.Empty;
    private bool _changed;

    /// <summary>Loads the refused set, forgets members no longer desired, and returns what is left to send and how many are held back.</summary>
    public async Task<(MemberSet ToSend, int HeldBack)> ExcludeAsync(MemberSet desired, CancellationToken ct)
    {
        var refused = await retry.CallAsync(token => store.LoadAsync(_key, token), ct);
        if (refused.Count == 0) return (desired, 0);
        var split = MemberSetDiff.Compute(desired, refused);
        _current = refused.Apply(MemberSet.Empty, split.Removes);
        _changed = split.Removes.Count > 0;
        return (split.Adds, _current.Count);
    }

    /// <summary>Durably records members Iterable just refused, before the batch that carried them is journalled.</summary>
    public async Task AddAsync(IReadOnlyCollection<string> members, CancellationToken ct)
    {
        if (members.Count == 0) return;
        await retry.CallAsync(token => store.AppendAsync(_key, MemberSet.From(members), MemberSet.Empty, token), ct);
        foreach (var member in members) _added.Add(member);
        _changed = true;
    }

    /// <summary>Folds the journal into one snapshot; nothing to do when the run changed nothing.</summary>
    public async Task CompactAsync(CancellationToken ct)
    {
        if (!_changed) return;
        await retry.CallAsync(token => store.CompactAsync(_key, _current.Apply(_added.Build(), MemberSet.Empty), token), ct);
    }
}
