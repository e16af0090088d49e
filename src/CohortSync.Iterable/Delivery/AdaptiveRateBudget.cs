namespace CohortSync.Iterable.Delivery;

/// <summary>
/// Permits handed out by <see cref="AdaptiveRateBudget.Lease"/>: <see cref="Count"/> requests, the first
/// after <see cref="FirstIn"/>, then one every <see cref="Interval"/>. Count 0 means "ask again after FirstIn".
/// </summary>
public readonly record struct RateGrant(int Count, TimeSpan FirstIn, TimeSpan Interval, long Epoch);

/// <summary>
/// One Iterable project's request rate, shared by every caller: permits are time slots spaced 1/rate apart,
/// handed out at most <see cref="RateBudgetOptions.LeaseHorizon"/> ahead. A 429 halves the rate and pauses the
/// project; a quiet period in which callers had to wait adds a step, up to the ceiling. Before the first 429 the rate
/// doubles instead (slow start), so the ceiling is found in seconds. Not thread-safe: the owning grain serialises calls.
/// </summary>
public sealed class AdaptiveRateBudget(RateBudgetOptions options, TimeProvider time)
{
    private double _ceiling = options.MaxPerSecond;
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;
    private DateTimeOffset _lastChange = time.GetUtcNow();
    private bool _waitedSinceChange;
    private bool _slowStart = options.SlowStartFactor > 1;

    public double PerSecond { get; private set; } = options.StartPerSecond;

    /// <summary>Bumped on every decrease; a 429 on a permit of an older epoch does not decrease again.</summary>
    public long Epoch { get; private set; }

    public long RateLimitedCount { get; private set; }

    /// <summary>Applies a destination's own start and ceiling; the start only counts before the first permit.</summary>
    public void Configure(double? startPerSecond, double? maxPerSecond, bool untouched)
    {
        _ceiling = Math.Max(options.MinPerSecond, maxPerSecond ?? options.MaxPerSecond);
        if (untouched && startPerSecond is { } start)
        {
            PerSecond = Math.Clamp(start, options.MinPerSecond, _ceiling);
        }

        PerSecond = Math.Min(PerSecond, _ceiling);
    }

    public RateGrant Lease(int wanted)
    {
        var now = time.GetUtcNow();
        ProbeUpward(now);
        var interval = TimeSpan.FromSeconds(1 / PerSecond);
        var first = _nextSlot > now ? _nextSlot : now;
        var horizon = now + options.LeaseHorizon;
        if (first > now)
        {
            _waitedSinceChange = true;
        }

        if (first > horizon)
        {
            return new RateGrant(0, first - horizon, interval, Epoch);
        }

        var fits = (int)((horizon - first).Ticks / interval.Ticks) + 1;
        var count = Math.Clamp(Math.Min(wanted, fits), 1, int.MaxValue);
        _nextSlot = first + interval * count;
        return new RateGrant(count, first - now, interval, Epoch);
    }

    /// <summary>A request paced by a permit of <paramref name="epoch"/> was answered 429.</summary>
    public void RateLimited(long epoch, TimeSpan? retryAfter)
    {
        var now = time.GetUtcNow();
        RateLimitedCount++;
        _slowStart = false;
        if (epoch >= Epoch)
        {
            PerSecond = Math.Max(options.MinPerSecond, PerSecond * options.DecreaseFactor);
            Epoch++;
        }

        _lastChange = now;
        _waitedSinceChange = false;
        var pause = retryAfter is { } told ? (told > options.MaxRateLimitPause ? options.MaxRateLimitPause : told) : options.RateLimitPause;
        if (now + pause > _nextSlot)
        {
            _nextSlot = now + pause;
        }
    }

    private void ProbeUpward(DateTimeOffset now)
    {
        if (now - _lastChange < (_slowStart ? options.SlowStartPeriod : options.QuietPeriod))
        {
            return;
        }

        // Only a budget that held callers back learns anything from going faster.
        if (_waitedSinceChange && PerSecond < _ceiling)
        {
            PerSecond = Math.Min(_ceiling, _slowStart ? PerSecond * options.SlowStartFactor : PerSecond + options.IncreaseStep);
        }

        _lastChange = now;
        _waitedSinceChange = false;
    }
}
