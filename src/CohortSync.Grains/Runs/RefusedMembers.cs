using CohortSync.Core.Members;
using CohortSync.Storage.Refused;
using CohortSync.Storage.Snapshots;

namespace CohortSync.Grains.Runs;

/// <summary>How a run treats members Iterable refused before: left out until <see cref="Cooldown"/> has passed since the refusal, or sent again at once with <see cref="RetryAll"/>.</summary>
public sealed record RefusedPolicy(DateTimeOffset Now, TimeSpan Cooldown, bool RetryAll = false);

/// <summary>
/// The members of a sync that Iterable refused (invalid, conflict, invalidData, forgotten), with the reason and when,
/// in the refused-member store: a run leaves them out while their cooldown lasts (the operator may have fixed the user
/// in Iterable since, so after it they are sent again), and forgets those that left the cohort or made it into the list.
/// Reading them changes nothing (a preview reads them too); the run's compaction writes what it learned.
/// </summary>
internal sealed class RefusedMembers(IRefusedMemberStore store, ISnapshotStore legacy, string syncKey, ClusterRetry retry, RefusedPolicy policy)
{
    // Before reasons were kept, refused members were a member set in the snapshot store; read once, then moved.
    private readonly string _legacyKey = syncKey + "#refused";
    private readonly List<RefusedMember> _refusedNow = [];
    private readonly List<string> _forget = [];
    private readonly List<string> _retried = [];
    private List<RefusedMember> _legacy = [];

    /// <summary>Returns what is left of <paramref name="desired"/> to send and how many members are held back in their cooldown.</summary>
    public async Task<(MemberSet ToSend, int HeldBack)> ExcludeAsync(MemberSet desired, MemberSet synced, CancellationToken ct)
    {
        var old = await retry.CallAsync(token => legacy.LoadAsync(_legacyKey, token), ct);
        _legacy = [.. old.Select(member => new RefusedMember(member, "refused", policy.Now))];
        var rows = await retry.CallAsync(token => store.LoadAsync(syncKey, token), ct);
        var cooling = new MemberSetBuilder(rows.Count + _legacy.Count);
        foreach (var row in rows.Concat(_legacy))
        {
            // Left the cohort, or in the list after all (a retry Iterable took): nothing to hold back any more.
            if (!desired.Contains(row.Member) || synced.Contains(row.Member)) _forget.Add(row.Member);
            else if (!policy.RetryAll && row.RefusedAt + policy.Cooldown > policy.Now) cooling.Add(row.Member);
            else _retried.Add(row.Member);
        }
        var held = cooling.Build();
        if (held.Count == 0) return (desired, 0);
        return (MemberSetDiff.Compute(desired, held).Adds, held.Count);
    }

    /// <summary>Durably records members Iterable just refused, with why, before the batch that carried them is journalled.</summary>
    public async Task AddAsync(IReadOnlyCollection<(string Member, string Reason)> members, CancellationToken ct)
    {
        if (members.Count == 0) return;
        var rows = members.Select(m => new RefusedMember(m.Member, m.Reason, policy.Now)).ToList();
        await retry.CallAsync(token => store.PutAsync(syncKey, rows, token), ct);
        _refusedNow.AddRange(rows);
    }

    /// <summary>Forgets members that left the cohort and retried ones Iterable took (<paramref name="final"/> holds them); moves old rows over.</summary>
    public async Task CompactAsync(MemberSet final, CancellationToken ct)
    {
        var refusedAgain = _refusedNow.Select(r => r.Member).ToHashSet(StringComparer.Ordinal);
        var forget = _forget.Concat(_retried.Where(final.Contains)).Where(m => !refusedAgain.Contains(m)).ToList();
        var moving = _legacy.Where(r => !forget.Contains(r.Member) && !refusedAgain.Contains(r.Member)).ToList();
        await retry.CallAsync(token => store.PutAsync(syncKey, moving, token), ct);
        await retry.CallAsync(token => store.DeleteAsync(syncKey, forget, token), ct);
        if (_legacy.Count > 0) await retry.CallAsync(token => legacy.ClearAsync(_legacyKey, token), ct);
    }

    /// <summary>The list was deleted (<c>sync stop --list delete</c>): nothing of it is kept.</summary>
    public async Task ClearAsync(CancellationToken ct)
    {
        await retry.CallAsync(token => store.ClearAsync(syncKey, token), ct);
        await retry.CallAsync(token => legacy.ClearAsync(_legacyKey, token), ct);
    }
}
