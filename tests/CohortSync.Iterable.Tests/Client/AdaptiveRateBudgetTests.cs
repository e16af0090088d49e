using CohortSync.Iterable.Delivery;
using Xunit;

namespace CohortSync.Iterable.Tests.Client;

/// <summary>The AIMD budget on a clock that moves only when told.</summary>
public sealed class AdaptiveRateBudgetTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static (AdaptiveRateBudget Budget, ManualTime Time) NewBudget(double start = 10, double max = 20, double slowStart = 1)
    {
        var time = new ManualTime(Start);
        var options = new RateBudgetOptions
        {
            StartPerSecond = start, MaxPerSecond = max, IncreaseStep = 1, QuietPeriod = TimeSpan.FromSeconds(5),
            RateLimitPause = TimeSpan.FromSeconds(1), LeaseHorizon = TimeSpan.FromMilliseconds(250),
            SlowStartFactor = slowStart, SlowStartPeriod = TimeSpan.FromSeconds(2),
        };
        return (new AdaptiveRateBudget(options, time), time);
    }

    [Fact]
    public void Permits_are_spaced_one_interval_apart_and_never_handed_out_beyond_the_horizon()
    {
        var (budget, _) = NewBudget(start: 10);

        var first = budget.Lease(100);
        var second = budget.Lease(100);

        Assert.Equal(3, first.Count); // slots at 0, 100 and 200 ms fit in 250 ms
        Assert.Equal(TimeSpan.FromMilliseconds(100), first.Interval);
        Assert.Equal(0, second.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(50), second.FirstIn);
    }

    [Fact]
    public void A_429_halves_the_rate_once_per_rate_and_pauses_for_Retry_After()
    {
        var (budget, time) = NewBudget(start: 10);
        var grant = budget.Lease(1);

        budget.RateLimited(grant.Epoch, TimeSpan.FromSeconds(3));
        budget.RateLimited(grant.Epoch, null); // paced at the old rate: no second halving

        Assert.Equal(5, budget.PerSecond);
        Assert.Equal(2, budget.RateLimitedCount);
        var paused = budget.Lease(1);
        Assert.Equal(0, paused.Count);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, budget.Lease(1).Count);
    }

    [Fact]
    public void The_rate_probes_upward_only_after_quiet_periods_in_which_callers_waited_and_stops_at_the_ceiling()
    {
        var (budget, time) = NewBudget(start: 10, max: 12);

        // Idle: nothing waited, nothing learned.
        time.Advance(TimeSpan.FromSeconds(6));
        budget.Lease(1);
        Assert.Equal(10, budget.PerSecond);

        for (var period = 0; period < 4; period++)
        {
            budget.Lease(100);
            budget.Lease(100); // had to wait
            time.Advance(TimeSpan.FromSeconds(6));
        }

        budget.Lease(1);
        Assert.Equal(12, budget.PerSecond);
    }

    [Fact]
    public void Before_the_first_429_the_rate_doubles_each_slow_start_period_and_after_it_grows_by_steps()
    {
        var (budget, time) = NewBudget(start: 10, max: 1000, slowStart: 2);

        for (var period = 0; period < 3; period++) WaitedThrough(budget, time, TimeSpan.FromSeconds(2.1));
        budget.Lease(1);
        Assert.Equal(80, budget.PerSecond);

        budget.RateLimited(budget.Epoch, null);
        Assert.Equal(40, budget.PerSecond);
        // The doubling has stopped: a slow-start period is no longer enough, and a quiet period adds one step.
        WaitedThrough(budget, time, TimeSpan.FromSeconds(2.1));
        budget.Lease(1);
        Assert.Equal(40, budget.PerSecond);
        WaitedThrough(budget, time, TimeSpan.FromSeconds(5));
        budget.Lease(1);
        Assert.Equal(41, budget.PerSecond);
    }

    [Fact]
    public void With_defaults_and_no_429_the_ceiling_is_reached_within_ten_seconds()
    {
        var time = new ManualTime(Start);
        var budget = new AdaptiveRateBudget(new RateBudgetOptions(), time);
        var elapsed = TimeSpan.Zero;

        while (budget.PerSecond < new RateBudgetOptions().MaxPerSecond && elapsed < TimeSpan.FromSeconds(60))
        {
            WaitedThrough(budget, time, TimeSpan.FromMilliseconds(500));
            elapsed += TimeSpan.FromMilliseconds(500);
        }

        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    /// <summary>Callers want more than the budget gives for <paramref name="span"/>, then the clock moves on.</summary>
    private static void WaitedThrough(AdaptiveRateBudget budget, ManualTime time, TimeSpan span)
    {
        budget.Lease(10_000);
        budget.Lease(10_000);
        time.Advance(span);
    }
}
