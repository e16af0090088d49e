using CohortSync.Grains.Destinations;
using CohortSync.Grains.Secrets;
using CohortSync.Iterable.Delivery;
using CohortSync.Iterable.Errors;
using CohortSync.Iterable.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Delivery;

/// <summary>
/// Rate budget and list lock of one Iterable project. Key: <see cref="IterableProjectKey"/>. Holds no durable
/// state: a fresh activation starts again at the start rate and learns the limit anew.
/// Lease and report interleave with a list lookup in progress, so runs are never held up by it.
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
        var gate = new LocalBudgetGate(_budget, engine.Value.MaxRateLimitRetries);
        var client = iterable.Create(new Uri(iterableUrl), secrets.Unprotect(keyCipher), gate);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            var existing = await client.FindListByNameAsync(listName, timeout.Token);
            if (existing is long id) return new EnsuredList(id, Created: false);
            var created = await client.CreateListAsync(listName, timeout.Token);
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
    }

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
