using CohortSync.Iterable;

namespace CohortSync.Grains.IterableProjects;

/// <summary>
/// Shares <c>GET /api/lists</c> among the calls that want it. Calls are numbered as they arrive (<see cref="Ask"/>); a
/// lookup covers every call numbered up to when it was sent. Two freshness levels: <see cref="AfterAsync"/> never
/// answers with a lookup sent before the call arrived; <see cref="RecentAsync"/> also takes one sent at most
/// <c>maxAge</c> ago, unless Iterable has since said a list is gone (<see cref="Forget"/>). Each lookup returns every
/// list of the project, so many syncs on one key answered from recent lookups cost O(syncs) an hour, not O(syncs²).
/// Used from one grain activation: single-threaded, interleaving at the awaits.
/// </summary>
internal sealed class SharedListLookups(TimeProvider time, TimeSpan maxAge)
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromMinutes(2);
    private long _asked;
    private long _forgotten;
    private ListIndex? _index;
    private long _indexCovers;
    private long _indexSentAt;
    private Task<ListIndex>? _lookup;
    private long _lookupCovers;

    /// <summary>A ticket for a call that arrived now.</summary>
    public long Ask() => ++_asked;

    /// <summary>Lookups sent before now no longer count as recent (Iterable answered <c>invalidListId</c>).</summary>
    public void Forget() => _forgotten = ++_asked;

    /// <summary>
    /// The project's lists by a lookup sent at most <c>maxAge</c> ago and after the last <see cref="Forget"/>, or, when
    /// there is none, as <see cref="AfterAsync"/>. Good for "yes, it exists"; a "no" deserves <see cref="AfterAsync"/>.
    /// </summary>
    public async Task<ListIndex> RecentAsync(long ticket, Func<IterableListClient> client, CancellationToken ct)
    {
        if (_index is not null && _indexCovers >= _forgotten && time.GetElapsedTime(_indexSentAt) <= maxAge) return _index;
        if (_lookup is { IsCompleted: false } onItsWay && _lookupCovers >= _forgotten) return await onItsWay.WaitAsync(ct);
        return await AfterAsync(ticket, client, ct);
    }

    /// <summary>
    /// The project's lists by a lookup sent after call number <paramref name="ticket"/> arrived: the last one if it
    /// was, the one on its way if that was, or a new one (the client is made only then).
    /// </summary>
    public async Task<ListIndex> AfterAsync(long ticket, Func<IterableListClient> client, CancellationToken ct)
    {
        while (true)
        {
            if (_index is not null && _indexCovers >= ticket) return _index;
            if (_lookup is { IsCompleted: false } onItsWay)
            {
                if (_lookupCovers >= ticket) return await onItsWay.WaitAsync(ct);
                // Sent before this call arrived: it may not show a change made since. Let it land, then send another.
                try { await onItsWay.WaitAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { /* its own callers see it */ }
                continue;
            }
            _lookupCovers = _asked;
            _lookup = FetchAsync(client(), _lookupCovers, time.GetTimestamp());
            return await _lookup.WaitAsync(ct);
        }
    }

    /// <summary>A list just created, which a lookup sent before the creation cannot show.</summary>
    public void Created(ListIndex seen, long listId, string name) => (_index ?? seen).Add(listId, name);

    private async Task<ListIndex> FetchAsync(IterableListClient client, long covers, long sentAt)
    {
        // Not cancelled with the call that sent it: other calls may be waiting for the same answer.
        using var timeout = new CancellationTokenSource(LookupTimeout);
        var index = ListIndex.From(await client.GetListsAsync(timeout.Token));
        if (covers >= _indexCovers) (_index, _indexCovers, _indexSentAt) = (index, covers, sentAt);
        return index;
    }
}
