using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Cluster.Tests;

/// <summary>PostgreSQL goes away under a running cluster and comes back.</summary>
[Collection(PostgresFixture.Collection)]
[Trait("Speed", "Slow")]
public sealed class DatabaseRestartTests(PostgresFixture postgres)
{
    /// <summary>How long PostgreSQL stays down: the fault injected, shorter than the engine's ClusterRetryWindow (90 s).</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Database_restart_mid_run_is_outlasted_by_the_runs_which_finish_exact_with_an_hourly_cadence_and_no_silo_exits()
    {
        await using var cluster = await World.StartClusterAsync(postgres, silos: 2, "--CohortSync:Engine:BatchSize=10",
            // One request in flight per run, so overlapping writes to a list can only mean two runs (WriteLog).
            "--CohortSync:Engine:RequestsInFlight=1");
        var fleet = new SyncFleet(cluster, 40);
        var destination = await cluster.EnableProjectAsync();
        fleet.SetCohorts(1);
        // Hourly: no cadence run can come to the rescue within the test; only the runs' own retries can finish them.
        await fleet.StartAsync(destination, cadence: "hourly");
        await fleet.WaitForAllAsync("every first run to fill its list", TimeSpan.FromMinutes(3), s => fleet.IsExact(s, 1));

        cluster.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 200 };
        fleet.SetCohorts(2);
        await Task.WhenAll(fleet.SyncIds.Select(id => Retry.CallAsync(() => cluster.Sync(id).RunNowAsync())));
        await Retry.UntilAsync("runs with writes in flight", TimeSpan.FromSeconds(60), async () =>
        {
            var writing = (await fleet.StatusesAsync()).Count(s => s.ActiveRun is { Counts.Requests: > 0 });
            return (writing >= 3, $"{writing} runs writing");
        }, TimeSpan.FromMilliseconds(100));

        var stopped = DateTimeOffset.UtcNow;
        await postgres.Server.StopAsync();
        try
        {
            await Task.Delay(Outage);
        }
        finally
        {
            await postgres.Server.StartAsync();
        }
        var restarted = DateTimeOffset.UtcNow;

        cluster.Sandbox.Iterable.Faults = IterableFaults.None;
        await fleet.WaitForAllAsync("the manual runs to outlast the restart and make every list exact", TimeSpan.FromMinutes(3),
            s => fleet.IsExact(s, 2) && s.LastRun!.Trigger is "manual" or "resume");
        var histories = await Task.WhenAll(fleet.SyncIds.Select(id => Retry.CallAsync(() => cluster.Sync(id).GetHistoryAsync(50))));
        // Some runs were checkpointing while the database was away, and finished anyway: retried in the run, not failed.
        Assert.Contains(histories.SelectMany(h => h), run =>
            run is { Trigger: "manual", Outcome: RunOutcome.Succeeded } && run.StartedAt < stopped && run.FinishedAt > restarted);
        Assert.All(histories.SelectMany(h => h), run => Assert.True(run.Reason is null || (run.Reason.Length <= 200 && !run.Reason.Contains(" at ", StringComparison.Ordinal)),
            $"run {run.RunNumber}: {run.Reason}"));
        Assert.Equal("", cluster.CrashReport());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var silo in cluster.Silos) Assert.True(await silo.IsReadyAsync(http), $"{silo.Name} is not ready after the restart:\n{silo.Output}");
        Assert.Empty(WriteLog.InterleavedWrites(cluster.Sandbox.Requests.Snapshot(), TimeSpan.FromMilliseconds(30)));
    }
}
