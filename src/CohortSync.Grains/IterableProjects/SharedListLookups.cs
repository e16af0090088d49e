using CohortSync.Iterable;

namespace CohortSync.Grains.IterableProjects;

/// <summary>
/// Shares <c>GET /api/lists</c> among the calls that want it at the same time, never answering a call with a lookup
/// sent before it arrived. Calls are numbered as they arrive (<see cref="Ask"/>); a lookup covers every call
/// numbered up to when it was sent. Used from one grain activation: single-threaded, interleaving at the awaits.
/// </summary>
internal sealed class SharedListLookups
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromMinutes(2);
    private long _asked;
    private ListIndex? _index;
    private long _indexCovers;
    private Task<ListIndex>? _lookup;
    private long _lookupCovers;

    /// <summary>A ticket for a call that arrived now.</summary>
    public long Ask() => ++_asked;

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
            _lookup = FetchAsync(client(), _lookupCovers);
            return await _lookup.WaitAsync(ct);
        }
    }

    /// <summary>A list just created, which a lookup sent before the creation cannot show.</summary>
    public void Created(ListIndex seen, long listId, string name) => (_index ?? seen).Add(listId, name);

    private async Task<ListIndex> FetchAsync(IterableListClient client, long covers)
    {
        // Not cancelled with the call that sent it: other calls may be waiting for the same answer.
        using var timeout = new CancellationTokenSource(LookupTimeout);
        var index = ListIndex.From(await client.GetListsAsync(timeout.Token));
        if (covers >= _indexCovers) (_index, _indexCovers) = (index, covers);
        return index;
    }
}
