using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using Xunit;

namespace CohortSync.Core.Tests.Scheduling;

public sealed class DownloadQuotaTests
{
    private static string? Warning(Cadence cadence) => DownloadQuota.CadenceWarning(cadence.ToString(), cadence.Period, DownloadQuota.AmplitudeDefault);

    [Theory]
    [InlineData("once", 1)]
    [InlineData("daily", 30)]
    [InlineData("hourly", 720)]
    [InlineData("90m", 480)]
    [InlineData("1m", 43_200)]
    [InlineData("7m", 6_172)]
    public void A_cadence_needs_one_download_per_run_over_a_30_day_month(string cadence, int perMonth) =>
        Assert.Equal(perMonth, DownloadQuota.PerMonth(Cadence.Parse(cadence).Period));

    [Fact]
    public void Hourly_does_not_fit_the_default_quota_and_every_90_minutes_does()
    {
        var hourly = Warning(Cadence.Hourly);
        Assert.NotNull(hourly);
        Assert.Contains("about 720", hourly);
        Assert.Contains("quota of 500", hourly);
        Assert.Null(Warning(Cadence.Parse("90m")));
        Assert.Null(Warning(Cadence.Daily));
    }

    [Fact]
    public void Projection_extends_the_pace_so_far_to_the_end_of_the_month()
    {
        // 10 days into a 30-day month with 100 used: 10 a day for 20 more days.
        Assert.Equal(300, DownloadQuota.Projected(100, new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0, DownloadQuota.Projected(0, new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Projection_takes_the_pace_over_at_least_a_day_at_the_start_of_a_month()
    {
        // Three downloads in the first hour of December are not 2,232 by the 31st.
        var firstHour = new DateTimeOffset(2026, 12, 1, 1, 0, 0, TimeSpan.Zero);
        Assert.Equal(96, DownloadQuota.Projected(3, firstHour)); // 3 + 3 a day × 30 23/24 days left
    }

    [Fact]
    public void Months_are_calendar_months_in_utc() =>
        Assert.Equal("2026-12", DownloadQuota.MonthOf(new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.FromHours(-5))));

    [Fact]
    public void Project_warning_names_the_projection_and_the_quota()
    {
        Assert.Null(DownloadQuota.ProjectWarning("p1", 500, 500));
        Assert.Equal(
            "project p1 is on course for about 501 Amplitude cohort downloads this month, more than the quota of 500: "
            + "Amplitude will refuse downloads before the month ends; lengthen some cadences or stop syncs",
            DownloadQuota.ProjectWarning("p1", 501, 500));
    }
}
