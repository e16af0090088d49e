using CohortSync.Contracts;
using CohortSync.Core.Scheduling;

namespace CohortSync.Core.Tests.Scheduling;

/// <summary>Realtime syncs on auto share 80 % of the quota left by the scheduled syncs, a whole number of days each.</summary>
public sealed class ReconcilePlanTests
{
    [Theory]
    [InlineData(500, 0, 10, 1)] // 300 a month fits 400: daily
    [InlineData(500, 0, 13, 1)] // 390
    [InlineData(500, 0, 14, 2)] // 420 would not: every other day
    [InlineData(500, 0, 50, 4)] // 50 × 8 = 400
    [InlineData(500, 300, 50, 15)] // 100 left for 50 syncs
    [InlineData(500, 399, 50, 30)] // 1 left: as rare as the plan goes
    [InlineData(500, 800, 1, 30)]
    [InlineData(500, 0, 0, 1)]
    public void Auto_interval_keeps_the_month_under_80_percent_of_the_quota(int quota, int scheduled, int realtime, int days)
    {
        var every = ReconcilePlan.AutoInterval(quota, scheduled, realtime);

        Assert.Equal(TimeSpan.FromDays(days), every);
        if (days < 30) Assert.InRange(scheduled + realtime * DownloadQuota.PerMonth(every), 0, quota * 80 / 100);
    }

    [Fact]
    public void Fifty_realtime_syncs_fit_the_quota_where_fifty_daily_ones_do_not()
    {
        var realtime = 50 * DownloadQuota.PerMonth(ReconcilePlan.AutoInterval(500, 0, 50));
        var daily = 50 * DownloadQuota.PerMonth(TimeSpan.FromDays(1));

        Assert.Equal((400, 1500), (realtime, daily));
    }

    [Theory]
    [InlineData(1, "daily")]
    [InlineData(7, "weekly")]
    [InlineData(4, "every 4 days")]
    public void Intervals_read_as_people_say_them(int days, string text) => Assert.Equal(text, ReconcilePlan.Describe(TimeSpan.FromDays(days)));

    [Theory]
    [InlineData("auto", null)]
    [InlineData("daily", 24.0)]
    [InlineData("weekly", 168.0)]
    [InlineData("3d", 72.0)]
    [InlineData("6h", 6.0)]
    [InlineData(" Daily ", 24.0)]
    public void Reconcile_every_parses_auto_and_intervals(string text, double? hours)
    {
        Assert.True(ReconcileEvery.TryParse(text, out var every, out var error), error);
        Assert.Equal(hours is null ? null : TimeSpan.FromHours(hours.Value), every);
    }

    [Theory]
    [InlineData("0h")]
    [InlineData("91d")]
    [InlineData("30m")]
    [InlineData("often")]
    [InlineData("-2d")]
    public void Reconcile_every_refuses_what_is_not_an_interval_from_an_hour_to_90_days(string text)
    {
        Assert.False(ReconcileEvery.TryParse(text, out _, out var error));
        Assert.Equal($"reconcile interval '{text}' is not auto, daily, weekly, <N>d or <N>h (1 hour to 90 days)", error);
    }

    [Fact]
    public void The_scheduled_projection_adds_what_the_cadences_make_in_the_days_left()
    {
        // 20 days left of November: 400 a month make 267 more.
        var now = new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(50 + 267, DownloadQuota.Scheduled(50, 400, now));
        Assert.Equal(50, DownloadQuota.Scheduled(50, 0, now));
    }
}
