using CohortSync.Grains.Destinations;
using CohortSync.Grains.Secrets;
using CohortSync.Iterable;
using CohortSync.Iterable.Delivery;
using CohortSync.Iterable.Errors;
using CohortSync.Iterable.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Delivery;

/// <summary>
/// Rate budget and list lock of one Iterable project. Key: <see cref="IterableProjectKey"/>. Holds no durable
/// state: a fresh activation starts again at the start rate and learns the limit anew.
/// Lease and report interleave with a list lookup in progress, so runs are never held up by it; so do list
/// checks, which share lookups that are on their way.
/// </summary>
public sealed class IterableProjectGrain(
    IIterableClientFactory iterable,
    SecretProtector secrets,
    IOptions<RateBudgetOptions> options,
    IOptions<SyncEngineOptions> engine,
    ILogger<IterableProjectGrain> logger) : Grain, IIterableProjectGrain
{
    private readonly AdaptiveRateBudget _budget = new(options.Value, TimeProvider.System);
    private RateSettings? _settings;
    private bool _leased;
    // List lookups: calls are numbered as they arrive; a lookup covers every call numbered up to when it was sent.
    private long _asked;
    private ListIndex? _index;
    private long _indexCovers;
    private Task<ListIndex>? _lookup;
    private long _lookupCovers;
    private readonly Dictionary<string, Task> _ensuring = new(StringComparer.Ordinal);

    public Task<RateLease> LeaseAsync(RateSettings settings, int wanted)
    {
        Apply(settings);
        _leased = true;
        var grant = _budget.Lease(Math.Max(1, wanted));
        return Task.FromResult(new RateLease(grant.Count, grant.FirstIn, grant.Interval, grant.Epoch));
    }

    public Task ReportRateLimitedAsync(long epoch, TimeSpan? retryAfter)
    {
        var before = _budget.PerSecond;
        _budget.RateLimited(epoch, retryAfter);
        if (_budget.PerSecond < before)
            logger.LogInformation("Iterable project {Budget}: 429, rate {Before:0.##} → {After:0.##} requests/s", this.GetPrimaryKeyString(), before, _budget.PerSecond);
        return Task.CompletedTask;
    }

    public Task<RateBudgetInfo> GetBudgetAsync() => Task.FromResult(new RateBudgetInfo(_budget.PerSecond, _budget.RateLimitedCount, _budget.Epoch));

    public async Task<EnsuredList> EnsureListAsync(string iterableUrl, string keyCipher, RateSettings settings, string listName)
    {
        Apply(settings);
        var client = Client(iterableUrl, keyCipher);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // One find-or-create per name at a time: a second one waits, then finds what the first created.
        while (_ensuring.TryGetValue(listName, out var busy)) await busy;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ensuring[listName] = done.Task;
        try
        {
            // Numbered only now, so its lookup is sent after an earlier creation of this name, never before.
            var index = await LookUpAsync(++_asked, () => client, timeout.Token);
            if (index.Find(listName) is long id) return new EnsuredList(id, Created: false);
            var created = await client.CreateListAsync(listName, timeout.Token);
            (_index ?? index).Add(created, listName);
            logger.LogInformation("Iterable project {Budget}: created list {ListId}", this.GetPrimaryKeyString(), created);
            return new EnsuredList(created, Created: true);
        }
        catch (IterableAuthException)
        {
            return new EnsuredList(0, false, EnsureListFailure.KeyRejected, "Iterable rejected the API key");
        }
        catch (Exception ex) when (ex is IterableException or HttpRequestException or OperationCanceledException)
        {
            // Exceptions stay on this side of the grain call: only a classification and a message cross it.
            return new EnsuredList(0, false, EnsureListFailure.Unavailable, $"could not find or create the Iterable list: {ex.Message}");
        }
        finally
        {
            _ensuring.Remove(listName);
            done.SetResult();
        }
    }

    public async Task<ListCheck> CheckListAsync(string iterableUrl, string keyCipher, RateSettings settings, long listId)
    {
        Apply(settings);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            // The key is decrypted and a client made only if this call is the one that sends the lookup.
            var index = await LookUpAsync(++_asked, () => Client(iterableUrl, keyCipher), timeout.Token);
            return new ListCheck(index.Contains(listId));
        }
        catch (IterableAuthException)
        {
            return new ListCheck(false, EnsureListFailure.KeyRejected, "Iterable rejected the API key");
        }
        catch (Exception ex) when (ex is IterableException or HttpRequestException or OperationCanceledException)
        {
            return new ListCheck(false, EnsureListFailure.Unavailable, $"could not look up the Iterable lists: {ex.Message}");
        }
    }

    /// <summary>
    /// The project's lists by a lookup sent after call number <paramref name="ticket"/> arrived: the last one if it
    /// was, the one on its way if that was, or a new one. Calls interleave here (single-threaded, at the awaits).
    /// </summary>
    private async Task<ListIndex> LookUpAsync(long ticket, Func<IterableListClient> client, CancellationToken ct)
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

    private async Task<ListIndex> FetchAsync(IterableListClient client, long covers)
    {
        // Not cancelled with the call that sent it: other calls may be waiting for the same answer.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var index = ListIndex.From(await client.GetListsAsync(timeout.Token));
        if (covers >= _indexCovers) (_index, _indexCovers) = (index, covers);
        return index;
    }

    private IterableListClient Client(string iterableUrl, string keyCipher) =>
        iterable.Create(new Uri(iterableUrl), secrets.Unprotect(keyCipher), new LocalBudgetGate(_budget, engine.Value.MaxRateLimitRetries));

    private void Apply(RateSettings settings)
    {
        if (settings == _settings) return;
        _settings = settings;
        _budget.Configure(settings.StartPerSecond, settings.MaxPerSecond, untouched: !_leased);
    }

    /// <summary>The grain's own requests (list lookup and creation) take permits straight from its budget.</summary>
    private sealed class LocalBudgetGate(AdaptiveRateBudget budget, int maxRateLimitRetries) : IIterableRateGate
    {
        private long _epoch;

        public async ValueTask EnterAsync(IterableCallKind kind, CancellationToken cancellationToken)
        {
            while (true)
            {
                var grant = budget.Lease(1);
                _epoch = grant.Epoch;
                if (grant.FirstIn > TimeSpan.Zero) await Task.Delay(grant.FirstIn, cancellationToken);
                if (grant.Count > 0) return;
            }
        }

        public ValueTask<bool> RateLimitedAsync(IterableCallKind kind, TimeSpan? retryAfter, int attempt, CancellationToken cancellationToken)
        {
            budget.RateLimited(_epoch, retryAfter);
            return ValueTask.FromResult(attempt <= maxRateLimitRetries);
        }
    }
}
