using CohortSync.Contracts;
using CohortSync.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>A key Iterable stops accepting: the destination goes unhealthy, all its syncs pause, a new key resumes them.</summary>
public abstract class BadKeyTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Revoked_key_pauses_every_sync_of_the_destination_with_the_reason_and_sends_nothing_until_the_key_is_replaced()
    {
        await using var w = await World.StartAsync(storage);
        var cohorts = Enumerable.Range(1, 3).Select(i => ($"coh-{i}", World.Users(i * 1000, 50))).ToList();
        foreach (var (id, members) in cohorts) w.SetCohort(id, "Cohort " + id, members);
        var destination = await w.EnableWithDestinationAsync();
        var syncs = new List<string>();
        foreach (var (id, _) in cohorts) syncs.Add(await w.StartSyncIdAsync(id, destination, cadence: "2s"));
        foreach (var sync in syncs) await w.WaitForRunAsync(sync, 1);

        w.Iterable.RevokeApiKey(World.IterableKey);
        var revokedAt = w.LastRequestSequence;
        var paused = new List<SyncInfo>();
        foreach (var sync in syncs) paused.Add(await w.WaitForStateAsync(sync, SyncState.Paused));

        Assert.All(paused, p => Assert.Contains("destination update", p.StateReason));
        var info = await w.Project.GetDestinationAsync(destination);
        Assert.Equal(DestinationHealth.Unhealthy, info.Health);
        Assert.Contains("401", info.HealthReason);
        Assert.Contains("destination update", info.HealthReason);
        // No retry storm: at most one refused request per sync that happened to be running.
        Assert.InRange(w.IterableRequestsSince(revokedAt).Count(e => e.Status == 401), 1, syncs.Count);
        await Assert.ThrowsAsync<CohortSyncException>(() => w.Sync(syncs[0]).RunNowAsync());
        var quietFrom = w.LastRequestSequence;
        // Nothing can start a run of a paused sync: no cadence reminder left to fire, no next run planned.
        // The reminder goes just after the paused state is written, so it is polled for.
        foreach (var sync in syncs)
            await Wait.UntilAsync($"sync {sync}'s cadence reminder to be unregistered", TimeSpan.FromSeconds(30), async () =>
            {
                var reminders = await RemindersAsync(w, sync);
                return (!reminders.Contains("cadence"), string.Join(", ", reminders));
            });
        var historyWhilePaused = new Dictionary<string, IReadOnlyList<RunRecord>>();
        foreach (var sync in syncs)
        {
            var status = await w.Sync(sync).GetStatusAsync();
            Assert.Equal(SyncState.Paused, status.State);
            Assert.Null(status.NextRunAt);
            Assert.Null(status.ActiveRun);
            historyWhilePaused[sync] = await w.HistoryAsync(sync);
        }
        Assert.Empty(w.IterableRequestsSince(quietFrom));

        const string newKey = "iterable-key-0008";
        w.Iterable.AddApiKey(newKey, w.IterableProjectId);
        foreach (var (id, members) in cohorts) w.SetCohort(id, "Cohort " + id, members.Skip(5));
        // Nothing ran while they were paused: the history is as it was when they paused, and the first run
        // numbered after it is the one the new key starts.
        var lastBefore = new Dictionary<string, long>();
        foreach (var sync in syncs)
        {
            var history = await w.HistoryAsync(sync);
            Assert.Equal(historyWhilePaused[sync].Select(r => (r.RunNumber, r.Outcome)), history.Select(r => (r.RunNumber, r.Outcome)));
            lastBefore[sync] = history.Max(r => r.RunNumber);
        }
        var updated = await w.Project.UpdateDestinationAsync(destination, new UpdateDestinationRequest(newKey));

        Assert.Equal(DestinationHealth.Healthy, updated.Health);
        Assert.Equal("…0008", updated.KeyHint);
        foreach (var sync in syncs)
        {
            // Read from the history, not from the last run: with a 2 s cadence later runs soon follow it.
            var run = await Wait.ForAsync(async () =>
                (await w.Sync(sync).GetHistoryAsync(1000)).LastOrDefault(r => r.RunNumber > lastBefore[sync]),
                $"sync {sync} to finish its first run after the key was replaced");
            Assert.Equal("resume", run.Trigger);
            Assert.True(run.Outcome == RunOutcome.Succeeded, $"the resumed run ended {run.Outcome}: {run.Reason}");
            Assert.Equal(5, run.Counts.Removed);
            var status = await w.Sync(sync).GetStatusAsync();
            Assert.NotEqual(SyncState.Paused, status.State);
            Assert.Equal(45, w.Iterable.GetListMembers(newKey, status.ListId!.Value).Count);
        }
    }

    [Fact]
    public async Task A_new_key_Iterable_also_rejects_is_refused_and_the_syncs_stay_paused()
    {
        await using var w = await World.StartAsync(storage);
        w.SetCohort("coh-1", "Locked out", World.Users(0, 10));
        // Adding checks the key, so the key is good when added and revoked before the first run.
        w.Iterable.AddApiKey("never-registered-1", w.IterableProjectId);
        var destination = await w.EnableWithDestinationAsync(iterableKey: "never-registered-1");
        w.Iterable.RevokeApiKey("never-registered-1");
        var sync = await w.StartSyncIdAsync("coh-1", destination);
        await w.WaitForStateAsync(sync, SyncState.Paused);

        var error = await Assert.ThrowsAsync<CohortSyncException>(() =>
            w.Project.UpdateDestinationAsync(destination, new UpdateDestinationRequest("never-registered-2")));

        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
        Assert.DoesNotContain("never-registered-2", error.Message);
        Assert.Equal(DestinationHealth.Unhealthy, (await w.Project.GetDestinationAsync(destination)).Health);
        Assert.Equal(SyncState.Paused, (await w.Sync(sync).GetStatusAsync()).State);
        Assert.Empty(w.IterableWritesSince(0));
    }

    /// <summary>The names of the sync's reminders as the silo's reminder table holds them (SQLite or PostgreSQL rows).</summary>
    private static async Task<IReadOnlyList<string>> RemindersAsync(World w, string syncId)
    {
        var table = w.Silo.Services.GetRequiredService<IReminderTable>();
        var rows = await table.ReadRows(w.Sync(syncId).GetGrainId());
        return rows.Reminders.Select(r => r.ReminderName).ToList();
    }
}

public sealed class BadKeyTestsOnSqlite() : BadKeyTests(StorageUnderTest.Sqlite);

[Collection(nameof(DeliveryOnPostgresCollection))]
public sealed class BadKeyTestsOnPostgres(PostgresFixture postgres) : BadKeyTests(StorageUnderTest.Postgres(postgres));
