using CohortSync.Grains.IterableProjects;
using CohortSync.Iterable.Delivery;

namespace CohortSync.Grains.Runs;

/// <summary>
/// A run's door to its Iterable project's shared rate budget: takes a few permits per grain call, waits for
/// each one's slot, reports 429s. A slot missed by more than one interval is dropped rather than saved up, so
/// a slow run never sends a burst. Counts write attempts and 429 retries into the run's tally.
/// </summary>
internal sealed class BudgetRateGate(IIterableProjectGrain budget, RunTally tally, SyncEngineOptions options, ClusterRetry retry) : IIterableRateGate
{
    private readonly Queue<DateTimeOffset> _slots = new();
    private TimeSpan _interval;
    private long _epoch;

    public async ValueTask EnterAsync(IterableCallKind kind, CancellationToken cancellationToken)
    {
        if (kind == IterableCallKind.Write) tally.Requests++;
        while (true)
        {
            var now = DateTimeOffset.UtcNow;
            while (_slots.TryPeek(out var stale) && stale < now - _interval) _slots.Dequeue();
            if (_slots.TryDequeue(out var slot))
            {
                if (slot > now) await Task.Delay(slot - now, cancellationToken);
                return;
            }

            var lease = await retry.CallAsync(ct => budget.LeaseAsync(options.PermitsPerLease, ct), cancellationToken);
            if (lease.Count == 0)
            {
                await Task.Delay(lease.FirstIn, cancellationToken);
                continue;
            }

            now = DateTimeOffset.UtcNow;
            (_interval, _epoch) = (lease.Interval, lease.Epoch);
            for (var i = 0; i < lease.Count; i++) _slots.Enqueue(now + lease.FirstIn + lease.Interval * i);
        }
    }

    public async ValueTask<bool> RateLimitedAsync(IterableCallKind kind, TimeSpan? retryAfter, int attempt, CancellationToken cancellationToken)
    {
        if (kind == IterableCallKind.Write) tally.Retries++;
        // Permits taken before the 429 were paced at the old rate: give them up.
        _slots.Clear();
        await retry.CallAsync(_ => budget.ReportRateLimitedAsync(_epoch, retryAfter), cancellationToken);
        return attempt <= options.MaxRateLimitRetries;
    }
}
