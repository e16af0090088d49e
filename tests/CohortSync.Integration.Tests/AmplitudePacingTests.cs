using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.RequestLogging;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// Amplitude lets one project have a few cohort downloads in flight and start so many per ten minutes; the engine
/// keeps a project's runs within both, and runs that must wait say so. Storage plays no part: embedded default only.
/// </summary>
[Collection(nameof(SiloCollection))]
public sealed class AmplitudePacingTests
{
    private const int Count = 8;

    [Fact]
    public async Task A_projects_downloads_stay_within_its_concurrency_limit_and_the_window_frees_up_again()
    {
        // Two at once, five per six seconds; every export job answers "in progress" 30 times first.
        await using var s = await StartAsync(concurrent: 2, perWindow: 5, window: "00:00:06");
        var destination = await s.EnableWithDestinationAsync();
        var mark = s.LastRequestSequence;

        var syncs = await StartSyncsAsync(s, destination);
        await Wait.ForAsync(async () =>
        {
            foreach (var sync in syncs)
                if ((await s.Sync(sync).GetStatusAsync()).ActiveRun is { Phase: RunPhase.WaitingForAmplitude } waiting) return waiting;
            return null;
        }, "a run to wait for Amplitude's limits", TimeSpan.FromSeconds(60));
        var runs = new List<RunRecord>();
        foreach (var sync in syncs) runs.Add(await s.WaitForRunAsync(sync, 1, TimeSpan.FromMinutes(2)));

        // The three runs past the window's five started once it had passed.
        Assert.All(runs, run => Assert.Equal((RunOutcome.Succeeded, 10), (run.Outcome, run.Counts.Added)));
        var log = s.Sandbox.Requests.Since(mark);
        var exports = log.Where(IsExportRequest).Select(e => e.Time).ToList();
        Assert.Equal(Count, exports.Count);
        // In flight, as Amplitude sees it: from the export request to the end of the file download, in the order the
        // sandbox saw those events.
        var events = exports.Select(t => (t, +1))
            .Concat(log.Where(e => e.Path.StartsWith("/_files/", StringComparison.Ordinal)).Select(e => (e.Time + TimeSpan.FromMilliseconds(e.DurationMs), -1)))
            .OrderBy(e => e.Item1).ThenBy(e => e.Item2);
        var inFlight = 0;
        var most = 0;
        foreach (var (_, change) in events) most = Math.Max(most, inFlight += change);
        Assert.InRange(most, 1, 2);
    }

    [Fact]
    public async Task A_project_starts_no_more_downloads_in_a_window_than_its_limit_and_the_rest_wait_saying_so()
    {
        // Five per hour: the window cannot pass during the test, so what started is what the window let through.
        await using var s = await StartAsync(concurrent: 2, perWindow: 5, window: "01:00:00");
        var destination = await s.EnableWithDestinationAsync();
        var mark = s.LastRequestSequence;

        var syncs = await StartSyncsAsync(s, destination);
        SyncInfo[] statuses = [];
        await Wait.UntilAsync("five runs to finish and three to wait for Amplitude", TimeSpan.FromMinutes(2), async () =>
        {
            statuses = await Task.WhenAll(syncs.Select(sync => s.Sync(sync).GetStatusAsync()));
            var finished = statuses.Count(st => st.ActiveRun is null && st.LastRun is not null);
            var waiting = statuses.Count(st => st.ActiveRun is { Phase: RunPhase.WaitingForAmplitude });
            return (finished == 5 && waiting == Count - 5, $"{finished} finished, {waiting} waiting for Amplitude");
        });

        Assert.All(statuses.Where(st => st.ActiveRun is null), st => Assert.Equal((RunOutcome.Succeeded, 10), (st.LastRun!.Outcome, st.LastRun.Counts.Added)));
        // The waiting runs have not asked Amplitude for anything: five exports, one per finished run.
        Assert.Equal(5, s.Sandbox.Requests.Since(mark).Count(IsExportRequest));
    }

    private static async Task<World> StartAsync(int concurrent, int perWindow, string window)
    {
        var world = await World.StartAsync(StorageUnderTest.Sqlite,
            $"--CohortSync:Engine:AmplitudeConcurrentDownloads={concurrent}", $"--CohortSync:Engine:AmplitudeDownloadsPerWindow={perWindow}",
            $"--CohortSync:Engine:AmplitudeDownloadWindow={window}");
        world.Sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret, new AmplitudeProjectSettings { InProgressPolls = 30 });
        for (var i = 0; i < Count; i++) world.SetCohort($"coh-{i}", $"Paced {i}", World.Users(i * 100, 10));
        return world;
    }

    private static async Task<List<string>> StartSyncsAsync(World world, string destination)
    {
        var syncs = new List<string>();
        for (var i = 0; i < Count; i++) syncs.Add((await world.StartSyncAsync($"coh-{i}", destination)).SyncId);
        return syncs;
    }

    /// <summary>The request that starts a cohort download: <c>GET /api/5/cohorts/request/{id}</c>, not its status polls.</summary>
    private static bool IsExportRequest(RequestLogEntry e) =>
        e.Method == "GET" && e.Path.StartsWith("/api/5/cohorts/request/", StringComparison.Ordinal) && e.Path.Count(c => c == '/') == 5;
}
