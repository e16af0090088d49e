using CohortSync.Grains.Destinations;
using CohortSync.Grains.Secrets;
using CohortSync.Iterable;
using CohortSync.Iterable.Delivery;
using CohortSync.Iterable.Errors;
using CohortSync.Iterable.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.IterableProjects;

/// <summary>
/// Rate budget and list lock of one Iterable project. Key: <see cref="IterableProjectKey"/>. Keeps only where the
/// project is: a fresh activation starts again at the start rate and learns the limit anew. Every call interleaves,
/// so runs leasing permits are never held up by a list lookup on its way.
/// </summary>
public sealed class IterableProjectGrain(
    [PersistentState("iterable-project", StorageNames.Main)] IPersistentState<IterableProjectState> state,
    IIterableClientFactory iterable,
    SecretProtector secrets,
    IOptions<RateBudgetOptions> options,
    IOptions<SyncEngineOptions> engine,
    ILogger<IterableProjectGrain> logger) : Grain, IIterableProjectGrain
{
    private static readonly TimeSpan EnsureTimeout = TimeSpan.FromMinutes(2);
    private readonly AdaptiveRateBudget _budget = new(options.Value, TimeProvider.System);
    private readonly SharedListLookups _lookups = new(TimeProvider.System, engine.Value.ListLookupMaxAge);
    private readonly ListReadPacer _listReads = new(engine.Value.IterableListReadsPerMinute, TimeProvider.System);
    private readonly Dictionary<string, Task> _ensuring = new(StringComparer.Ordinal);
    private readonly SerialStateWriter<IterableProjectState> _writes = new(state);
    private bool _leased;

    private IterableProjectState Project => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Project.Configured) _budget.Configure(Project.StartPerSecond, Project.MaxPerSecond, untouched: true);
        return Task.CompletedTask;
    }

    public async Task ConfigureAsync(IterableEndpoint endpoint)
    {
        var p = Project;
        if (p.Url == endpoint.Url && p.KeyCipher == endpoint.KeyCipher &&
            p.StartPerSecond == endpoint.Rate.StartPerSecond && p.MaxPerSecond == endpoint.Rate.MaxPerSecond) return;
        (p.Url, p.KeyCipher, p.StartPerSecond, p.MaxPerSecond) = (endpoint.Url, endpoint.KeyCipher, endpoint.Rate.StartPerSecond, endpoint.Rate.MaxPerSecond);
        _budget.Configure(p.StartPerSecond, p.MaxPerSecond, untouched: !_leased);
        await _writes.WriteAsync();
    }

    public Task<RateLease> LeaseAsync(int wanted, CancellationToken cancellationToken)
    {
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

    public Task<TimeSpan> ReserveListReadAsync() => Task.FromResult(_listReads.Reserve());

    public Task ReportListReadLimitedAsync(TimeSpan? retryAfter)
    {
        _listReads.RateLimited(retryAfter);
        logger.LogInformation("Iterable project {Budget}: list read answered 429; the next ones are paced after it", this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public async Task<ListAnswer> EnsureListAsync(string listName, CancellationToken cancellationToken)
    {
        if (!Project.Configured) return NotConfigured;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(EnsureTimeout);
        // One find-or-create per name at a time: a second one waits, then finds what the first created.
        while (_ensuring.TryGetValue(listName, out var busy)) await busy.WaitAsync(timeout.Token);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ensuring[listName] = done.Task;
        try
        {
            var client = Client();
            // Numbered only now, so its lookup is sent after an earlier creation of this name, never before.
            var ticket = _lookups.Ask();
            var index = await _lookups.RecentAsync(ticket, () => client, timeout.Token);
            if (index.Find(listName) is long id) return new ListAnswer(id, Created: false, Exists: true);
            var delay = engine.Value.NewListRetryDelay;
            for (var attempt = 1; ; attempt++)
            {
                // Not in a recent index: only a lookup sent after this call may say "create it" (no duplicate of a list made meanwhile).
                index = await _lookups.AfterAsync(ticket, () => client, timeout.Token);
                if (index.Find(listName) is long found) return new ListAnswer(found, Created: false, Exists: true);
                try
                {
                    var created = await client.CreateListAsync(listName, timeout.Token);
                    _lookups.Created(index, created, listName);
                    logger.LogInformation("Iterable project {Budget}: created list {ListId}", this.GetPrimaryKeyString(), created);
                    return new ListAnswer(created, Created: true, Exists: true);
                }
                catch (Exception ex) when (attempt <= engine.Value.NewListRetries && IterableFailures.Classify(ex) == IterableFailureKind.Unavailable
                    && !timeout.IsCancellationRequested)
                {
                    // A creation answered 5xx or not at all is not sent again blindly (the pipeline does not retry it): it
                    // may have made the list, so a lookup sent after it decides whether to create again (DESIGN §6: 5xx is
                    // retried with backoff, bounded).
                    logger.LogInformation("Iterable project {Budget}: creating list '{ListName}' failed ({Reason}); looking it up again ({Attempt} of {Retries})",
                        this.GetPrimaryKeyString(), listName, IterableFailures.Detail(ex), attempt, engine.Value.NewListRetries);
                    await Task.Delay(delay, timeout.Token);
                    delay *= 2;
                    ticket = _lookups.Ask();
                }
            }
        }
        catch (Exception ex) when (Failed(ex) is { } failed)
        {
            return failed;
        }
        finally
        {
            _ensuring.Remove(listName);
            done.SetResult();
        }
    }

    public async Task<ListAnswer> EnsureOwnedListAsync(IReadOnlyList<string> names, string owner, CancellationToken cancellationToken)
    {
        if (!Project.Configured) return NotConfigured;
        // Decided and recorded in one turn (no await before the owner is set): two syncs asking at once get two names.
        var name = names.FirstOrDefault(n => !Project.Owners.TryGetValue(n, out var o) || o == owner);
        if (name is null)
            return new ListAnswer(0, false, false, ListFailure.Taken,
                $"every name this sync's list may take is the list of another sync ({string.Join(", ", names)})");
        if (Project.Owners.TryAdd(name, owner)) await _writes.WriteAsync();
        return await EnsureListAsync(name, cancellationToken) with { Name = name };
    }

    public async Task<bool> ClaimListAsync(string listName, string owner)
    {
        if (Project.Owners.TryGetValue(listName, out var current)) return current == owner;
        Project.Owners[listName] = owner;
        await _writes.WriteAsync();
        return true;
    }

    public async Task ReleaseListAsync(string listName, string owner)
    {
        // The owner deleted the list: a lookup from before says it is still there.
        _lookups.Forget();
        if (Project.Owners.TryGetValue(listName, out var current) && current == owner && Project.Owners.Remove(listName)) await _writes.WriteAsync();
    }

    public async Task<ListAnswer> CheckListAsync(long listId, CancellationToken cancellationToken)
    {
        if (!Project.Configured) return NotConfigured;
        try
        {
            // The key is decrypted and a client made only if this call is the one that sends the lookup. A recent
            // index may say yes (a list deleted since is caught by the write's invalidListId); only a fresh one says no.
            var ticket = _lookups.Ask();
            var index = await _lookups.RecentAsync(ticket, Client, cancellationToken);
            if (!index.Contains(listId)) index = await _lookups.AfterAsync(ticket, Client, cancellationToken);
            return new ListAnswer(listId, Created: false, Exists: index.Contains(listId));
        }
        catch (Exception ex) when (Failed(ex) is { } failed)
        {
            return failed;
        }
    }

    public Task<ListAnswer> CheckRejectedListAsync(long listId, CancellationToken cancellationToken)
    {
        _lookups.Forget();
        return CheckListAsync(listId, cancellationToken);
    }

    private static readonly ListAnswer NotConfigured = new(0, false, false, ListFailure.NotConfigured, "the Iterable project was not configured");

    /// <summary>An Iterable failure (or this grain's own timeout) as an answer; anything else, the caller's cancellation included, passes.</summary>
    private static ListAnswer? Failed(Exception ex) => IterableFailures.Classify(ex) switch
    {
        IterableFailureKind.KeyRejected => new ListAnswer(0, false, false, ListFailure.KeyRejected, "Iterable rejected the API key"),
        IterableFailureKind.RateLimited => new ListAnswer(0, false, false, ListFailure.RateLimited, IterableFailures.Detail(ex)),
        not null => new ListAnswer(0, false, false, ListFailure.Unavailable, IterableFailures.Detail(ex)),
        null when ex is OperationCanceledException => new ListAnswer(0, false, false, ListFailure.Unavailable, "Iterable did not answer in time"),
        null => null,
    };

    private IterableListClient Client() =>
        iterable.Create(new Uri(Project.Url), secrets.Unprotect(Project.KeyCipher), new LocalBudgetGate(_budget, engine.Value.MaxRateLimitRetries));

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
