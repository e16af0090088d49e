using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>Runs cut short by Iterable failing or by the silo going away: the next run finishes the job, exactly.</summary>
public abstract class InterruptionTests(StorageUnderTest storage)
{
    private const int Members = 15_000;

    [Fact]
    public async Task A_5xx_burst_ends_the_run_retryably_and_the_next_run_finishes_the_list_without_losing_or_double_counting()
    {
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, Members);
        w.SetCohort("coh-1", "Flaky", cohort);
        var destination = await w.EnableWithDestinationAsync();
        // Slow enough that the run, with its requests in flight, is still writing when the burst starts.
        w.Iterable.Faults = new IterableFaults { LatencyMs = 250 };

        var syncId = await w.StartSyncIdAsync("coh-1", destination);
        await Wait.UntilAsync(async () => (await w.Sync(syncId).GetStatusAsync()).ActiveRun?.Counts.Added > 0, "the first batches to land");
        // More failures in a row than the resilience handler retries (4 retries, 5 attempts) for each of the 4 requests
        // in flight, so one of them must give up and the run with it, retryably.
        w.Iterable.Faults = new IterableFaults { WritesOnly = true, ServerErrorBurst = 17, ServerErrorStatus = 503 };
        var done = await w.WaitForStateAsync(syncId, SyncState.Done, TimeSpan.FromSeconds(120));

        var history = await w.HistoryAsync(syncId);
        Assert.Contains(history, r => r.Outcome == RunOutcome.FailedRetryable && r.Reason!.Contains("unavailable", StringComparison.Ordinal));
        Assert.Equal(RunOutcome.Succeeded, history[0].Outcome);
        Assert.Equal(Members, history.Sum(r => r.Counts.Added));
        Assert.Equal(Members, done.SyncedCount);
        Assert.Equal(cohort, w.ListMembers(done.ListId!.Value));
        Assert.InRange(w.IterableWritesSince(0).Count(e => e.Status == 503), 5, 17);
    }

    [Fact]
    public async Task A_silo_stopped_mid_run_leaves_a_checkpoint_the_next_silo_finishes_from_exactly()
    {
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, Members);
        w.SetCohort("coh-1", "Interrupted", cohort);
        var destination = await w.EnableWithDestinationAsync();
        w.Iterable.Faults = new IterableFaults { LatencyMs = 60 };

        var syncId = await w.StartSyncIdAsync("coh-1", destination);
        await Wait.UntilAsync(async () => (await w.Sync(syncId).GetStatusAsync()).ActiveRun?.Counts.Added >= 2000, "a few batches to land");
        await w.RestartSiloAsync();
        w.Iterable.Faults = IterableFaults.None;
        var done = await w.WaitForStateAsync(syncId, SyncState.Done, TimeSpan.FromSeconds(120));

        var history = await w.HistoryAsync(syncId);
        var interrupted = Assert.Single(history, r => r.Outcome == RunOutcome.FailedRetryable);
        Assert.Contains("interrupted", interrupted.Reason);
        Assert.InRange(interrupted.Counts.Added, 2000, Members - 1);
        Assert.Equal(Members, history.Sum(r => r.Counts.Added));
        Assert.Equal(Members, done.SyncedCount);
        Assert.Equal(cohort, w.ListMembers(done.ListId!.Value));
        // Only one list ever, and the resumed run sent only what was not acknowledged before the stop: at most the
        // batches in flight when it stopped (4 requests of 1000; an answer cut off by the stop is sent again).
        Assert.Single(w.Iterable.GetLists(World.IterableKey));
        var sent = w.IterableWritesSince(0).Where(e => e.Path == "/api/lists/subscribe" && e.Status == 200).Sum(e => e.SubscriberCount ?? 0);
        Assert.InRange(sent, Members, Members + 4 * 1000);
    }
}

public sealed class InterruptionTestsOnSqlite() : InterruptionTests(StorageUnderTest.Sqlite);

[Collection(nameof(DeliveryOnPostgresCollection))]
public sealed class InterruptionTestsOnPostgres(PostgresFixture postgres) : InterruptionTests(StorageUnderTest.Postgres(postgres));
