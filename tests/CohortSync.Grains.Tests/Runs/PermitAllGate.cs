using CohortSync.Grains.Runs;
using CohortSync.Iterable.Delivery;

namespace CohortSync.Grains.Tests.Runs;

/// <summary>
/// A rate gate that never waits and never retries a 429. Counts write attempts into the run's tally as the budget's
/// gate does, and lets a test act just before the Nth write goes out.
/// </summary>
public sealed class PermitAllGate(RunTally tally, Func<int, Task>? beforeWrite = null) : IIterableRateGate
{
    private int _writes;

    public async ValueTask EnterAsync(IterableCallKind kind, CancellationToken cancellationToken)
    {
        if (kind != IterableCallKind.Write) return;
        tally.CountRequest();
        if (beforeWrite is not null) await beforeWrite(Interlocked.Increment(ref _writes));
    }

    public ValueTask<bool> RateLimitedAsync(IterableCallKind kind, TimeSpan? retryAfter, int attempt, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);
}
