using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>Its own PostgreSQL server: these tests stop it, so nothing else may be using it.</summary>
[CollectionDefinition(nameof(DatabaseOutageCollection))]
public sealed class DatabaseOutageCollection : ICollectionFixture<PostgresFixture>;

/// <summary>
/// PostgreSQL goes away for longer than a run's cluster-retry window while the run is in a given phase. The run ends
/// failed-retryable for the cluster, with a plain reason, and the guard reminder resumes it within its period: the
/// cadence is hourly, so nothing else could.
/// </summary>
[Collection(nameof(DatabaseOutageCollection))]
public sealed class DatabaseOutageTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    [Theory]
    [InlineData(RunPhase.PreparingList)]
    [InlineData(RunPhase.Pushing)]
    public async Task PostgreSQL_lost_beyond_the_retry_window_is_resumed_by_the_guard_whatever_the_cadence(RunPhase phase)
    {
        await using var w = await World.StartAsync(StorageUnderTest.Postgres(postgres),
            "--CohortSync:Engine:ClusterRetryWindow=00:00:02", "--CohortSync:Engine:GuardPeriod=00:00:05",
            "--CohortSync:Engine:BatchSize=100", "--CohortSync:Engine:RequestsInFlight=1");
        var cohort = World.Users(0, 3000);
        w.SetCohort("coh-1", "Outage", cohort);
        var destination = await w.EnableWithDestinationAsync();
        // Slow Iterable: the run stays in the phase long enough to lose the database in it.
        w.Iterable.Faults = new IterableFaults { LatencyMs = phase == RunPhase.PreparingList ? 3000 : 200 };

        var syncId = await w.StartSyncIdAsync("coh-1", destination, "hourly");
        await Wait.UntilAsync(async () => (await w.Sync(syncId).GetStatusAsync()).ActiveRun?.Phase == phase, $"the first run to be {phase}");
        await postgres.Server.StopAsync();
        try
        {
            await Task.Delay(Outage);
        }
        finally
        {
            await postgres.Server.StartAsync();
        }
        w.Iterable.Faults = IterableFaults.None;

        var resumed = await Wait.ForAsync(async () =>
        {
            var status = await Retry.CallAsync(() => w.Sync(syncId).GetStatusAsync());
            return status.ActiveRun is null && status.LastRun is { Outcome: RunOutcome.Succeeded, Trigger: "resume" } ? status : null;
        }, "the guard to resume the run and finish it", TimeSpan.FromMinutes(2));

        var history = await w.HistoryAsync(syncId);
        // The first run met the outage; a guard tick while the database was still away may have begun a run it could
        // not record, which the next one finds interrupted. Either way nothing waited for the hourly slot.
        var first = history[^1];
        Assert.Equal(("first", RunOutcome.FailedRetryable), (first.Trigger, first.Outcome));
        Assert.Matches("^(the database is unreachable|a silo of the cluster stopped answering).*resumes by itself", first.Reason);
        Assert.All(history.Take(history.Count - 1), r => Assert.Equal("resume", r.Trigger));
        Assert.All(history, r => Assert.True(r.Reason is null || (r.Reason.Length <= 200 && !r.Reason.Contains(" at ", StringComparison.Ordinal)), r.Reason));
        Assert.Equal(cohort, w.ListMembers(resumed.ListId!.Value));
        Assert.Equal(3000, resumed.SyncedCount);
        Assert.Equal(SyncState.Scheduled, resumed.State);
    }
}
