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
    [Fact]
    public async Task Database_restart_mid_run_fails_runs_retryably_then_the_next_tick_makes_every_list_exact_and_no_silo_exits()
    {
        await using var cluster = await TestCluster.StartAsync(postgres, silos: 2, "--CohortSync:Engine:BatchSize=10");
        var fleet = new SyncFleet(cluster, 40);
        var destination = await cluster.EnableProjectAsync();
        fleet.SetCohorts(1);
        await fleet.StartAsync(destination, cadence: "5s");
        await fleet.WaitForAllAsync("every first run to fill its list", TimeSpan.FromMinutes(3), s => fleet.IsExact(s, 1));

        cluster.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 200 };
        fleet.SetCohorts(2);
        await Task.WhenAll(fleet.SyncIds.Select(id => Retry.CallAsync(() => cluster.Sync(id).RunNowAsync())));
        await Retry.UntilAsync("runs with writes in flight", TimeSpan.FromSeconds(60), async () =>
        {
            var writing = (await fleet.StatusesAsync()).Count(s => s.ActiveRun is { Counts.Requests: > 0 });
            return (writing >= 3, $"{writing} runs writing");
        }, TimeSpan.FromMilliseconds(100));

        await postgres.Server.StopAsync();
        try
        {
            // The runs cannot checkpoint: they fail retryably (keeping what was acknowledged) or wait.
            await Retry.UntilAsync("a run to fail for the missing database", TimeSpan.FromSeconds(60), async () =>
            {
                var failed = (await fleet.StatusesAsync()).Count(s => s.LastRun is { Outcome: RunOutcome.FailedRetryable });
                return (failed > 0, $"{failed} failed retryably");
            });
        }
        finally
        {
            await postgres.Server.StartAsync();
        }

        cluster.Sandbox.Iterable.Faults = IterableFaults.None;
        var restarted = DateTimeOffset.UtcNow;
        await fleet.WaitForAllAsync("a run after the restart to make every list exact", TimeSpan.FromMinutes(3),
            s => fleet.IsExact(s, 2) && s.LastRun!.StartedAt > restarted);
        Assert.Equal("", cluster.CrashReport());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var silo in cluster.Silos) Assert.True(await silo.IsReadyAsync(http), $"{silo.Name} is not ready after the restart:\n{silo.Output}");
        Assert.Empty(WriteLog.InterleavedWrites(cluster.Sandbox.Requests.Snapshot(), TimeSpan.FromMilliseconds(30)));
    }
}
