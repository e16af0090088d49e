using CohortSync.Core.Members;
using CohortSync.Storage.Snapshots;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// The snapshot store in memory: a base and a journal per key, folded on load like the database stores. Appends are
/// numbered from 1 across all keys; a range of them can be made to fail (each retry is the next number).
/// </summary>
public sealed class InMemorySnapshotStore : ISnapshotStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemberSet> _bases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(MemberSet Added, MemberSet Removed)>> _journals = new(StringComparer.Ordinal);
    private (int First, int Count, Exception Exception)? _failing;

    /// <summary>Append attempts so far, failed ones included.</summary>
    public int AppendAttempts { get; private set; }

    /// <summary>Appends, compactions and clears that changed the store.</summary>
    public int Writes { get; private set; }

    public int Clears { get; private set; }

    /// <summary>Called with each append's members as it is stored, in the order the appends came.</summary>
    public Action<MemberSet, MemberSet>? OnAppend { get; set; }

    /// <summary>Append attempts <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 throw <paramref name="exception"/>.</summary>
    public void FailAppends(int first, Exception exception, int count = 1)
    {
        lock (_gate) _failing = (first, count, exception);
    }

    /// <summary>What <see cref="LoadAsync"/> would give, without counting as a call.</summary>
    public MemberSet Current(string key)
    {
        lock (_gate) return Fold(key);
    }

    /// <summary>Entries appended since the last compaction.</summary>
    public IReadOnlyList<(MemberSet Added, MemberSet Removed)> Journal(string key)
    {
        lock (_gate) return [.. _journals.GetValueOrDefault(key) ?? []];
    }

    public Task<MemberSet> LoadAsync(string syncKey, CancellationToken cancellationToken)
    {
        lock (_gate) return Task.FromResult(Fold(syncKey));
    }

    public Task AppendAsync(string syncKey, MemberSet added, MemberSet removed, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var attempt = ++AppendAttempts;
            if (_failing is var (first, count, exception) && attempt >= first && attempt < first + count) throw exception;
            if (!_journals.TryGetValue(syncKey, out var journal)) _journals[syncKey] = journal = [];
            journal.Add((added, removed));
            Writes++;
            OnAppend?.Invoke(added, removed);
        }
        return Task.CompletedTask;
    }

    public Task CompactAsync(string syncKey, MemberSet current, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _bases[syncKey] = current;
            _journals.Remove(syncKey);
            Writes++;
        }
        return Task.CompletedTask;
    }

    public Task ClearAsync(string syncKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _bases.Remove(syncKey);
            _journals.Remove(syncKey);
            Writes++;
            Clears++;
        }
        return Task.CompletedTask;
    }

    private MemberSet Fold(string key)
    {
        var set = _bases.GetValueOrDefault(key) ?? MemberSet.Empty;
        foreach (var (added, removed) in _journals.GetValueOrDefault(key) ?? []) set = set.Apply(added, removed);
        return set;
    }
}
