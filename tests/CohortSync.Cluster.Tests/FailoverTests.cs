using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>Three silo processes on one PostgreSQL database lose one of them to kill -9 in the middle of 200 syncs.</summary>
[Collection(PostgresFixture.Collection)]
[Trait("Speed", "Slow")]
public sealed class FailoverTests(PostgresFixture postgres)
{
    private const int Syncs = 200;

    [Fact]
    public async Task Silo_killed_mid_run_loses_no_member_and_its_syncs_finish_and_keep_their_cadence_on_the_survivors()
    {
        // Batches of 10 give every run of the small cohorts several writes, one after another.
        await using var cluster = await World.StartClusterAsync(postgres, silos: 3, "--CohortSync:Engine:BatchSize=10",
            // One request in flight per run, so overlapping writes to a list can only mean two runs (WriteLog).
            "--CohortSync:Engine:RequestsInFlight=1");
        var fleet = new SyncFleet(cluster, Syncs);
        var destination = await cluster.EnableProjectAsync();
        fleet.SetCohorts(1);
        await fleet.StartAsync(destination, cadence: "20s");
        await fleet.WaitForAllAsync("every first run to fill its list", TimeSpan.FromMinutes(4), s => fleet.IsExact(s, 1));

        // Slow Iterable down so the next runs are still writing when the silo dies.
        cluster.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 250 };
        fleet.SetCohorts(2);
        await Task.WhenAll(fleet.SyncIds.Select(id => Retry.CallAsync(() => cluster.Sync(id).RunNowAsync())));
        var (victim, hosted, writing) = await FindSiloWithWritesInFlightAsync(cluster, fleet);

        victim.Kill();

        await Retry.UntilAsync($"{victim.Name} to be declared dead", TimeSpan.FromSeconds(90), async () =>
        {
            var status = await cluster.MembershipStatusAsync(victim);
            return (status == 6, $"status {status}");
        });
        await fleet.WaitForAllAsync("every sync to finish its run on the survivors with the list exact", TimeSpan.FromMinutes(4), s => fleet.IsExact(s, 2));

        Assert.Equal("", cluster.CrashReport());
        Assert.Empty(WriteLog.InterleavedWrites(cluster.Sandbox.Requests.Snapshot(), TimeSpan.FromMilliseconds(30)));
        // The runs the kill cut short were recorded as interrupted and taken over, not lost.
        // Every run kept (the engine keeps 50): on a slow machine the survivors may run a sync a dozen times before this looks.
        var histories = await Task.WhenAll(writing.Select(id => Retry.CallAsync(() => cluster.Sync(id).GetHistoryAsync(50))));
        Assert.Contains(histories.SelectMany(h => h), run => run.Outcome == RunOutcome.FailedRetryable && run.Reason!.StartsWith("interrupted", StringComparison.Ordinal));

        // Cadence reminders of the syncs that lived on the dead silo now fire on the survivors.
        cluster.Sandbox.Iterable.Faults = IterableFaults.None;
        fleet.SetCohorts(3);
        var changed = DateTimeOffset.UtcNow;
        await fleet.WaitForAllAsync("a cadence run of every sync after the failover", TimeSpan.FromMinutes(3),
            s => fleet.IsExact(s, 3) && s.LastRun is { Trigger: "cadence" } run && run.StartedAt > changed);
        foreach (var id in hosted)
        {
            var status = await cluster.StatusAsync(id);
            Assert.True(status.LastRun is { Trigger: "cadence", Outcome: RunOutcome.Succeeded } && status.LastRun.StartedAt > changed,
                $"sync {id} lived on {victim.Name}: {SyncFleet.Describe(status)}");
        }
        Assert.Equal("", cluster.CrashReport());
        Assert.Empty(WriteLog.InterleavedWrites(cluster.Sandbox.Requests.Snapshot(), TimeSpan.FromMilliseconds(30)));
    }

    /// <summary>
    /// Waits until one silo hosts syncs whose runs have sent writes and not finished; returns it, the syncs
    /// it hosts, and those with writes in flight.
    /// </summary>
    private static async Task<(SiloProcess Victim, IReadOnlyList<string> Hosted, IReadOnlyList<string> Writing)> FindSiloWithWritesInFlightAsync(World cluster, SyncFleet fleet)
    {
        (SiloProcess, IReadOnlyList<string>, IReadOnlyList<string>)? found = null;
        await Retry.UntilAsync("a silo with runs writing to Iterable", TimeSpan.FromSeconds(90), async () =>
        {
            var placed = await Task.WhenAll(fleet.SyncIds.Select(async id => (Id: id, Status: await cluster.StatusAsync(id), Host: await cluster.HostOfAsync(id))));
            var best = placed
                .Where(p => p.Host is not null)
                .GroupBy(p => p.Host!)
                .Select(g => (Silo: g.Key, Hosted: g.Select(p => p.Id).ToList(), Writing: g.Where(p => p.Status.ActiveRun is { Counts.Requests: > 0 }).Select(p => p.Id).ToList()))
                .OrderByDescending(g => g.Writing.Count)
                .FirstOrDefault();
            if (best.Silo is not null && best.Writing.Count >= 3) found = (best.Silo, best.Hosted, best.Writing);
            return (found is not null, $"most runs writing on one silo: {best.Writing?.Count ?? 0}");
        }, TimeSpan.FromMilliseconds(100));
        return found!.Value;
    }
}
