using CohortSync.Client.Output;
using CohortSync.Contracts;

namespace CohortSync.Client.Tests;

public sealed class TextRenderingTests
{
    [Fact]
    public void Project_block_shows_the_key_hint_only()
    {
        var text = TextFormat.Project(Samples.Project());

        Assert.Contains("amplitude key  …x9Qz", text);
        Assert.Contains("enabled        yes, since 2025-03-01 08:00:00Z", text);
        Assert.Contains("downloads      12 Amplitude cohort downloads in 2025-03, on course for 120 (quota 500)", text);
        Assert.DoesNotContain("warning", text);
    }

    [Fact]
    public void Quota_warnings_show_in_the_project_and_sync_blocks()
    {
        var project = Samples.Project() with { Downloads = new AmplitudeDownloads("2025-03", 400, 1200, 500, "project acme is on course for about 1200 …") };
        var sync = Samples.Sync() with { Warning = "cadence hourly needs about 720 Amplitude cohort downloads a month …" };

        Assert.Contains("warning        project acme is on course for about 1200 …", TextFormat.Project(project));
        Assert.Contains("warning      cadence hourly needs about 720", TextFormat.Sync(sync));
    }

    [Fact]
    public void Sync_list_has_one_row_per_sync_with_the_last_run_summary()
    {
        var text = TextFormat.Syncs([Samples.Sync(last: Samples.Run(3)), Samples.Sync(active: Samples.Run(9, RunOutcome.Running)) with { SyncId = "s2" }]);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        Assert.StartsWith("ID ", lines[0]);
        Assert.Contains("#3 succeeded +28 -4 !2", lines[1]);
        Assert.Contains("#9 running (pushing)", lines[2]);
    }

    [Fact]
    public void Sync_block_names_state_reason_and_list()
    {
        var text = TextFormat.Sync(Samples.Sync(state: SyncState.Paused) with { StateReason = "Iterable rejected the API key" });

        Assert.Contains("state        paused: Iterable rejected the API key", text);
        Assert.Contains("list         1234 [Amplitude] Power users", text);
        Assert.Contains("last run     none yet", text);
    }

    [Fact]
    public void Failed_run_block_gives_the_reason()
    {
        var text = TextFormat.Run(Samples.Run(5, RunOutcome.Failed, "unknown cohort coh42"));

        Assert.Contains("outcome   failed: unknown cohort coh42", text);
        Assert.Contains("rejected  invalidData 2 (e.g. bad@)", text);
    }

    [Fact]
    public void Empty_lists_say_so()
    {
        Assert.Equal("no destinations\n", TextFormat.Destinations([]));
        Assert.Equal("no syncs\n", TextFormat.Syncs([]));
        Assert.Equal("no runs yet\n", TextFormat.History([]));
    }
}
