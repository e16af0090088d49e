using CohortSync.Contracts;
using CohortSync.Grains.Syncs;

namespace CohortSync.Grains.Tests;

/// <summary>A cron sync's state: its times are the expression's in its zone, not spread by sync, three of them shown.</summary>
public sealed class CronSyncStateTests
{
    // Tuesday 1 December 2026, 12:00 UTC (13:00 in Berlin, winter time).
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static CohortSyncState Sync(string syncId, string cadence, string? zone = null)
    {
        Assert.True(Cadence.TryParse(cadence, zone, out var parsed, out var error), error);
        var state = new CohortSyncState();
        state.Configure(new SyncConfig("p1", syncId, "c1", null, "d1", parsed), Now);
        return state;
    }

    [Fact]
    public void Every_cron_sync_runs_at_the_written_minute_whatever_its_id()
    {
        var times = new[] { "s-1", "s-2", "s-3" }.Select(id => Sync(id, "cron:0 6 * * 1-5", "Europe/Berlin").NextCadenceSlot(Now));

        // Wednesday 2 December 06:00 CET is 05:00Z, for every sync.
        Assert.All(times, t => Assert.Equal(new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero), t));
    }

    [Fact]
    public void The_next_three_runs_skip_the_weekend()
    {
        var state = Sync("s-1", "cron:0 6 * * 1-5", "Europe/Berlin");
        state.NextRunAt = state.NextCadenceSlot(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));

        var info = state.ToInfo(null, null);

        Assert.Equal("cron:0 6 * * 1-5 (Europe/Berlin)", info.Cadence);
        DateTimeOffset Day(int day) => new(2026, 12, day, 5, 0, 0, TimeSpan.Zero);
        Assert.Equal([Day(4), Day(7), Day(8)], info.NextRuns);
        Assert.Equal(Day(4), info.NextRunAt);
    }

    [Fact]
    public void A_paused_cron_sync_shows_no_next_runs()
    {
        var state = Sync("s-1", "cron:0 6 * * *");
        state.NextRunAt = state.NextCadenceSlot(Now);
        state.Pause("paused by the operator");

        Assert.Empty(state.ToInfo(null, null).NextRuns);
    }

    [Fact]
    public void The_quota_warning_counts_a_cron_cadences_firings()
    {
        Assert.Null(Sync("s-1", "cron:0 6 * * 1-5").QuotaWarning(500, Now));
        Assert.Null(Sync("s-1", "cron:0 */2 * * *").QuotaWarning(500, Now));
        Assert.Contains("needs about 720 Amplitude cohort downloads a month", Sync("s-1", "cron:0 * * * *").QuotaWarning(500, Now));
        Assert.Contains("needs about 8640", Sync("s-1", "cron:*/5 * * * *").QuotaWarning(500, Now));
    }

    [Fact]
    public void An_interval_cadence_shows_its_slots_a_period_apart()
    {
        var state = Sync("s-1", "hourly");
        state.NextRunAt = state.NextCadenceSlot(Now);

        var next = state.ToInfo(null, null).NextRuns;

        Assert.Equal([state.NextRunAt!.Value, state.NextRunAt.Value.AddHours(1), state.NextRunAt.Value.AddHours(2)], next);
    }

    [Fact]
    public void The_projects_schedule_counts_a_cron_syncs_firings_a_month()
    {
        var weekdays = new Projects.SyncIndexEntry("s-1", "c1", "d1") { Cadence = Cadence.Parse("cron:0 6 * * 1-5") };
        var everyTwoHours = new Projects.SyncIndexEntry("s-2", "c2", "d1") { Cadence = Cadence.Parse("cron:0 */2 * * *") };

        // Weekdays in any 30 days: 20 to 22.
        Assert.InRange(weekdays.FixedDownloadsPerMonth, 20, 22);
        Assert.Equal(360, everyTwoHours.FixedDownloadsPerMonth);
    }
}
