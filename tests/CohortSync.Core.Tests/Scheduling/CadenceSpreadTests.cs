using CohortSync.Core.Scheduling;

namespace CohortSync.Core.Tests.Scheduling;

public sealed class CadenceSpreadTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void The_offset_of_a_sync_is_stable_and_inside_the_period()
    {
        var offset = CadenceSpread.OffsetWithinPeriod("p/s-1", Hour);

        Assert.Equal(offset, CadenceSpread.OffsetWithinPeriod("p/s-1", Hour));
        Assert.InRange(offset, TimeSpan.Zero, Hour - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void Ten_thousand_hourly_syncs_spread_over_the_hour_with_no_minute_holding_twice_the_average()
    {
        var perMinute = new int[60];
        for (var i = 0; i < 10_000; i++)
            perMinute[(int)CadenceSpread.OffsetWithinPeriod($"project-{i % 37}/sync-{i}", Hour).TotalMinutes]++;

        var average = 10_000 / 60.0;
        Assert.All(perMinute, n => Assert.InRange(n, 1, (int)(2 * average)));
    }

    [Fact]
    public void The_next_slot_is_after_now_and_within_one_period()
    {
        var now = new DateTimeOffset(2025, 3, 1, 10, 17, 3, TimeSpan.Zero);

        var next = CadenceSpread.NextSlotAfter("p/s-1", Hour, now);

        Assert.True(next > now);
        Assert.True(next - now <= Hour);
        Assert.Equal(CadenceSpread.OffsetWithinPeriod("p/s-1", Hour).Ticks, (next - DateTimeOffset.UnixEpoch).Ticks % Hour.Ticks);
    }

    [Fact]
    public void A_slot_exactly_at_now_moves_to_the_next_period()
    {
        var now = DateTimeOffset.UnixEpoch + CadenceSpread.OffsetWithinPeriod("p/s-1", Hour) + 5 * Hour;

        Assert.Equal(now + Hour, CadenceSpread.NextSlotAfter("p/s-1", Hour, now));
    }
}
