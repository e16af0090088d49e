using System.Globalization;
using CohortSync.Client.Cli;
using CohortSync.Testing;

namespace CohortSync.Client.Tests;

/// <summary>Cron cadences through the CLI: started in a zone, their next times shown, and run by the reminder at the time.</summary>
public sealed partial class ClusterCommandTests
{
    private static DateTimeOffset Instant(System.Text.Json.JsonElement value) => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_cron_sync_is_run_by_its_reminder_at_the_cron_time_in_its_zone()
    {
        var projectId = await _cli.EnabledProjectAsync("cron-run");
        var destinationId = await _cli.DestinationAsync(projectId);
        _cli.SetCohort(projectId, "c", "u-1", "u-2");
        // Daily at a second 20 s from now, written in New York's local time (seconds first: six fields).
        var at = DateTimeOffset.UtcNow.AddSeconds(20);
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero);
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        var expression = $"{local.Second} {local.Minute} {local.Hour} * * *";

        var started = await RunAsync(["sync", "start", projectId, "--cohort", "c", "--destination", destinationId,
            "--cadence", $"cron:{expression}", "--tz", "America/New_York", "--wait"]);
        AssertExit(ExitCodes.Ok, started);
        var syncId = started.Stdout.Split('\n')[0];
        var before = Json(await RunAsync(["sync", "status", projectId, syncId, "--json"]));

        Assert.Equal($"cron:{expression} (America/New_York)", before.GetProperty("cadence").GetString());
        Assert.Equal(at, Instant(before.GetProperty("nextRunAt")));
        Assert.Equal([at, at.AddDays(1), at.AddDays(2)], before.GetProperty("nextRuns").EnumerateArray().Select(Instant));

        System.Text.Json.JsonElement after = default;
        await Wait.UntilAsync("the cron reminder's run", TimeSpan.FromSeconds(90), async () =>
        {
            after = Json(await RunAsync(["sync", "status", projectId, syncId, "--json"]));
            var last = after.GetProperty("lastRun");
            return (last.GetProperty("trigger").GetString() == "cadence", last.ToString());
        }, TimeSpan.FromMilliseconds(500));

        Assert.True(Instant(after.GetProperty("lastRun").GetProperty("startedAt")) >= at);
        Assert.Equal(at.AddDays(1), Instant(after.GetProperty("nextRunAt")));
        var text = await RunAsync(["sync", "status", projectId, syncId]);
        Assert.Contains($"next run     {at.AddDays(1):yyyy-MM-dd HH:mm:ss}Z\n", text.Stdout);
        Assert.Contains($"then         {at.AddDays(2):yyyy-MM-dd HH:mm:ss}Z, {at.AddDays(3):yyyy-MM-dd HH:mm:ss}Z\n", text.Stdout);
    }
}
