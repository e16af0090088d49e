using CohortSync.Grains.IterableProjects;
using CohortSync.Iterable.Delivery;

namespace CohortSync.Grains.Runs;

/// <summary>
/// A run's door to its Iterable project's shared rate budget: takes a few permits per grain call, waits for
/// each one's slot, reports 429s. A slot missed by more than one interval is dropped rather than saved up, so
/// a slow run never sends a burst. Counts write attempts and 429 retries into the run's tally. Entered by every
/// request a run has in flight: slots are handed out one caller at a time, the wait for a slot is each caller's own.
/// </summary>
internal sealed class BudgetRateGate(IIterableProjectGrain budget, RunTally tally, SyncEngineOptions options, ClusterRetry retry) : IIterableRateGate
{
    private readonly Queue<DateTimeOffset> _slots = new();
    private readonly SemaphoreSlim _taking = new(1, 1);
    private TimeSpan _interval;
    private long _epoch;
    private int _givenUp;

    public async ValueTask EnterAsync(IterableCallKind kind, CancellationToken cancellationToken)
    {
        if (kind == IterableCallKind.Write) tally.CountRequest();
        if (kind == IterableCallKind.ListRead)
        {
            // Its own queue (5 a minute), not the write budget: a list read never waits behind a run's batches, nor they behind it.
            var wait = await retry.CallAsync(_ => budget.ReserveListReadAsync(), cancellationToken);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            return;
        }
        while (true)
        {
            var givenUp = Volatile.Read(ref _givenUp);
            var slot = await TakeSlotAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow;
            if (slot > now) await Task.Delay(slot - now, cancellationToken);
            // A 429 answered while this caller waited gave its slot up with the rest: take one paced at the new rate.
            if (Volatile.Read(ref _givenUp) == givenUp) return;
        }
    }

    public async ValueTask<bool> RateLimitedAsync(IterableCallKind kind, TimeSpan? retryAfter, int attempt, CancellationToken cancellationToken)
    {
        if (kind == IterableCallKind.Write) tally.CountRetry();
        if (kind == IterableCallKind.ListRead)
        {
            // Never a reason to fail: the read waits for a later slot, however long the queue (the run's token still ends it).
            await retry.CallAsync(_ => budget.ReportListReadLimitedAsync(retryAfter), cancellationToken);
            return true;
        }
        long epoch;
        await _taking.WaitAsync(cancellationToken);
        try
        {
            // Permits taken before the 429 were paced at the old rate: give them up, those already handed to callers too.
            _slots.Clear();
            Interlocked.Increment(ref _givenUp);
            epoch = _epoch;
        }
        finally { _taking.Release(); }
        await retry.CallAsync(_ => budget.ReportRateLimitedAsync(epoch, retryAfter), cancellationToken);
        return attempt <= options.MaxRateLimitRetries;
    }

    private async Task<DateTimeOffset> TakeSlotAsync(CancellationToken cancellationToken)
    {
        await _taking.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var now = DateTimeOffset.UtcNow;
                while (_slots.TryPeek(out var stale) && stale < now - _interval) _slots.Dequeue();
                if (_slots.TryDequeue(out var slot)) return slot;

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
        finally { _taking.Release(); }
    }
}
