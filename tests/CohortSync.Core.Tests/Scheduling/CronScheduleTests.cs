using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using Xunit;

namespace CohortSync.Core.Tests.Scheduling;

/// <summary>
/// Cron cadences: next times in a zone across its DST changes, read at fixed instants (the clock is the argument).
/// Europe/Berlin in 2026 springs forward on 29 March (02:00 CET → 03:00 CEST) and falls back on 25 October
/// (03:00 CEST → 02:00 CET); America/New_York on 8 March (02:00 EST → 03:00 EDT) and 1 November (02:00 EDT → 01:00 EST).
/// </summary>
public sealed class CronScheduleTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static CronSchedule Schedule(string expression, string? zone = null)
    {
        Assert.True(CronSchedule.TryParse(expression, zone, out var schedule, out var error), error);
        return schedule!;
    }

    [Fact]
    public void Weekday_mornings_in_Berlin_keep_local_six_o_clock_across_spring_forward()
    {
        var schedule = Schedule("0 6 * * 1-5", "Europe/Berlin");

        // Friday 27 March 06:00 CET is 05:00Z; from Monday 30 March 06:00 CEST is 04:00Z.
        Assert.Equal(Utc(3, 27, 5), schedule.NextAfter(Utc(3, 27, 0)));
        Assert.Equal([Utc(3, 30, 4), Utc(3, 31, 4), Utc(4, 1, 4)], schedule.Next(Utc(3, 27, 5), 3));
    }

    [Fact]
    public void Weekday_mornings_in_New_York_keep_local_six_o_clock_across_fall_back()
    {
        var schedule = Schedule("0 6 * * 1-5", "America/New_York");

        // Friday 30 October 06:00 EDT is 10:00Z; Monday 2 November 06:00 EST is 11:00Z.
        Assert.Equal([Utc(10, 30, 10), Utc(11, 2, 11), Utc(11, 3, 11)], schedule.Next(Utc(10, 30, 0), 3));
    }

    [Theory]
    [InlineData("Europe/Berlin", 3, 29, 1, 3, 30, 0, 30)]   // 02:30 does not exist: runs at 03:00 CEST (01:00Z); next day 02:30 CEST
    [InlineData("America/New_York", 3, 8, 7, 3, 9, 6, 30)]  // 02:30 does not exist: runs at 03:00 EDT (07:00Z); next day 02:30 EDT
    public void A_time_in_the_spring_forward_gap_runs_once_right_after_the_gap(string zone, int month, int day, int hour, int nextMonth, int nextDay, int nextHour, int nextMinute)
    {
        var schedule = Schedule("30 2 * * *", zone);

        var times = schedule.Next(Utc(month, day, 0).AddHours(-12), 2);

        Assert.Equal([Utc(month, day, hour), Utc(nextMonth, nextDay, nextHour, nextMinute)], times);
    }

    [Theory]
    [InlineData("Europe/Berlin", 10, 25, 0, 10, 26, 1)]     // 02:30 CEST (00:30Z) runs, 02:30 CET (01:30Z) does not; next day 02:30 CET
    [InlineData("America/New_York", 11, 1, 5, 11, 2, 6)]    // 01:30 EDT (05:30Z) runs, 01:30 EST (06:30Z) does not; next day 01:30 EST
    public void A_time_repeated_by_the_fall_back_overlap_runs_once(string zone, int month, int day, int hour, int nextMonth, int nextDay, int nextHour)
    {
        var schedule = Schedule(zone == "Europe/Berlin" ? "30 2 * * *" : "30 1 * * *", zone);

        var times = schedule.Next(Utc(month, day, 0).AddHours(-12), 2);

        Assert.Equal([Utc(month, day, hour, 30), Utc(nextMonth, nextDay, nextHour, 30)], times);
    }

    [Fact]
    public void An_interval_expression_runs_through_both_hours_of_the_fall_back_overlap()
    {
        var schedule = Schedule("*/30 * * * *", "America/New_York");

        // 01:00 and 01:30 happen twice on 1 November (EDT, then EST): every half hour of real time is run.
        var times = schedule.Next(Utc(11, 1, 4, 50), 5);

        Assert.Equal([Utc(11, 1, 5), Utc(11, 1, 5, 30), Utc(11, 1, 6), Utc(11, 1, 6, 30), Utc(11, 1, 7)], times);
    }

    [Fact]
    public void Without_a_zone_times_are_utc_and_never_shift()
    {
        var schedule = Schedule("0 6 * * *");

        Assert.Null(schedule.ZoneId);
        Assert.Equal([Utc(3, 29, 6), Utc(3, 30, 6), Utc(3, 31, 6)], schedule.Next(Utc(3, 29, 0), 3));
    }

    [Fact]
    public void Six_fields_put_seconds_first()
    {
        var schedule = Schedule("*/10 * * * * *");

        Assert.True(schedule.HasSeconds);
        Assert.Equal(TimeSpan.FromSeconds(10), schedule.ShortestGap());
        Assert.Equal(Utc(1, 1, 0).AddSeconds(10), schedule.NextAfter(Utc(1, 1, 0).AddSeconds(3)));
    }

    [Theory]
    [InlineData("0 6 * * 1-5", 86_400)]
    [InlineData("*/5 * * * *", 300)]
    [InlineData("0 0 1 * *", 28 * 86_400)]
    [InlineData("0 9 * * 1", 7 * 86_400)]
    public void The_shortest_gap_is_what_the_minimum_cadence_is_held_against(string expression, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Schedule(expression).ShortestGap());
    }

    [Theory]
    [InlineData("0 6 * * 1-5", 22)]          // weekdays from Monday 2 November to Tuesday 1 December
    [InlineData("0 6 * * *", 30)]
    [InlineData("0 */4 * * *", 180)]
    [InlineData("*/5 * * * *", 8_640)]
    [InlineData("0 0 1 * *", 1)]
    public void Downloads_a_month_count_the_firings_in_the_30_days_ahead(string expression, int expected)
    {
        Assert.Equal(expected, Schedule(expression, "Europe/Berlin").PerMonth(Utc(11, 2, 0)));
    }

    [Fact]
    public void A_cron_cadence_that_fits_the_quota_has_no_warning_and_one_that_does_not_says_how_many()
    {
        var weekdays = Cadence.Parse("cron:0 6 * * 1-5");
        var fiveMinutes = Cadence.Parse("cron:*/5 * * * *");

        Assert.Null(DownloadQuota.CadenceWarning(weekdays.ToString(), weekdays.DownloadsPerMonth(Utc(11, 2, 0)), DownloadQuota.AmplitudeDefault));
        Assert.Equal(
            "cadence cron:*/5 * * * * needs about 8640 Amplitude cohort downloads a month, more than the quota of 500: "
            + "Amplitude will refuse downloads before the month ends; choose a longer cadence",
            DownloadQuota.CadenceWarning(fiveMinutes.ToString(), fiveMinutes.DownloadsPerMonth(Utc(11, 2, 0)), DownloadQuota.AmplitudeDefault));
    }

    [Theory]
    [InlineData("cron:0 6 * * 1-5", null, "cron:0 6 * * 1-5", 86_400)]
    [InlineData("CRON:  0   6 * *   1-5 ", null, "cron:0 6 * * 1-5", 86_400)]
    [InlineData("cron:0 6 * * 1-5", "Europe/Berlin", "cron:0 6 * * 1-5 (Europe/Berlin)", 86_400)]
    [InlineData("cron:0 6 * * 1-5 (Europe/Berlin)", null, "cron:0 6 * * 1-5 (Europe/Berlin)", 86_400)]
    [InlineData("cron:0 6 * * 1-5 (Europe/Berlin)", "Europe/Berlin", "cron:0 6 * * 1-5 (Europe/Berlin)", 86_400)]
    [InlineData("cron:0 6 * * 1-5", "UTC", "cron:0 6 * * 1-5", 86_400)]
    [InlineData("cron:*/15 * * * *", null, "cron:*/15 * * * *", 900)]
    public void Cron_cadences_parse_and_print_back_in_canonical_form(string text, string? zone, string printed, int shortestSeconds)
    {
        Assert.True(Cadence.TryParse(text, zone, out var cadence, out var error), error);

        Assert.Equal((CadenceKind.Cron, printed, TimeSpan.FromSeconds(shortestSeconds)), (cadence.Kind, cadence.ToString(), cadence.Period));
        Assert.True(cadence.IsRecurring);
        Assert.Equal(cadence, Cadence.Parse(printed));
    }

    [Theory]
    [InlineData("cron:0 6 * *", null, "cron expression '0 6 * *' has 4 field(s); write 5 (minute hour day-of-month month day-of-week, e.g. '0 6 * * 1-5') or 6 with seconds first")]
    [InlineData("cron:", null, "cron expression '' has 0 field(s); write 5 (minute hour day-of-month month day-of-week, e.g. '0 6 * * 1-5') or 6 with seconds first")]
    [InlineData("cron:0 6 * * 1-5", "Mars/Olympus", "time zone 'Mars/Olympus' is not known here; use an IANA id such as Europe/Berlin, America/New_York or UTC")]
    [InlineData("cron:0 6 * * 1-5 (Europe/Berlin)", "Europe/Paris", "the cadence says time zone 'Europe/Berlin' and --tz says 'Europe/Paris'; give the zone once")]
    [InlineData("hourly", "Europe/Berlin", "a time zone ('Europe/Berlin') is for cron cadences only; 'hourly' runs at the same instants in every zone")]
    [InlineData("cron:0 0 30 2 *", null, "cron expression '0 0 30 2 *' never fires (e.g. 30 February); choose days that exist")]
    public void Bad_cron_cadences_say_what_is_wrong(string text, string? zone, string expected)
    {
        Assert.False(Cadence.TryParse(text, zone, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("cron:61 * * * *")]
    [InlineData("cron:0 25 * * *")]
    [InlineData("cron:0 6 * * mon-funday")]
    public void Bad_cron_fields_are_refused_with_the_expression_and_an_example(string text)
    {
        Assert.False(Cadence.TryParse(text, out _, out var error));

        Assert.StartsWith($"cron expression '{text[5..]}' is not valid (", error);
        Assert.EndsWith("); see crontab(5), e.g. '0 6 * * 1-5' for 06:00 on weekdays", error);
    }
}
