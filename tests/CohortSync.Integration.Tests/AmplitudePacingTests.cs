using CohortSync.Testing;
using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.RequestLogging;

namespace CohortSync.Integration.Tests;

/// <summary>
/// Amplitude lets one project have a few cohort downloads in flight and start so many per ten minutes; the engine
/// keeps a project's runs within both, and runs that must wait say so. Storage plays no part: embedded default only.
/// </summary>
[Collection(nameof(SiloCollection))]
public sealed class AmplitudePacingTests
{
    [Fact]
    public async Task A_projects_downloads_stay_within_its_concurrency_and_window_limits()
    {
        // Two at once, five per six seconds; every export job answers "in progress" 30 times first.
        await using var s = await World.StartAsync(StorageUnderTest.Sqlite,
            "--CohortSync:Engine:AmplitudeConcurrentDownloads=2", "--CohortSync:Engine:AmplitudeDownloadsPerWindow=5",
            "--CohortSync:Engine:AmplitudeDownloadWindow=00:00:06");
        s.Sandbox.Amplitude.PutProject(World.AmplitudeKey, World.AmplitudeSecret, new AmplitudeProjectSettings { InProgressPolls = 30 });
        const int count = 8;
        for (var i = 0; i < count; i++) s.SetCohort($"coh-{i}", $"Paced {i}", World.Users(i * 100, 10));
        var destination = await s.EnableWithDestinationAsync();
        var mark = s.LastRequestSequence;

        var syncs = new List<string>();
        for (var i = 0; i < count; i++) syncs.Add((await s.StartSyncAsync($"coh-{i}", destination)).SyncId);
        await Wait.ForAsync(async () =>
        {
            foreach (var sync in syncs)
                if ((await s.Sync(sync).GetStatusAsync()).ActiveRun is { Phase: RunPhase.WaitingForAmplitude } waiting) return waiting;
            return null;
        }, "a run to wait for Amplitude's limits", TimeSpan.FromSeconds(60));
        var runs = new List<RunRecord>();
        foreach (var sync in syncs) runs.Add(await s.WaitForRunAsync(sync, 1, TimeSpan.FromMinutes(2)));

        Assert.All(runs, run => Assert.Equal((RunOutcome.Succeeded, 10), (run.Outcome, run.Counts.Added)));
        var log = s.Sandbox.Requests.Since(mark);
        var exports = log.Where(e => e.Method == "GET" && e.Path.StartsWith("/api/5/cohorts/request/", StringComparison.Ordinal) && e.Path.Count(c => c == '/') == 5)
            .Select(e => e.Time).Order().ToList();
        Assert.Equal(count, exports.Count);
        // In flight, as Amplitude sees it: from the export request to the end of the file download.
        var events = exports.Select(t => (t, +1))
            .Concat(log.Where(e => e.Path.StartsWith("/_files/", StringComparison.Ordinal)).Select(e => (e.Time + TimeSpan.FromMilliseconds(e.DurationMs), -1)))
            .OrderBy(e => e.Item1).ThenBy(e => e.Item2);
        var inFlight = 0;
        var most = 0;
        foreach (var (_, change) in events) most = Math.Max(most, inFlight += change);
        Assert.InRange(most, 1, 2);
        // No six-second window holds more than five starts: the sixth start came six seconds after the first.
        for (var i = 5; i < exports.Count; i++)
            Assert.True(exports[i] - exports[i - 5] >= TimeSpan.FromSeconds(6) - TimeSpan.FromMilliseconds(500),
                $"downloads {i - 4} to {i + 1} started within {(exports[i] - exports[i - 5]).TotalSeconds:0.00} s");
    }
}
