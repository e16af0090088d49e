using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>Lists that vanish, lists not ready yet, and lists several syncs want at the same moment.</summary>
public abstract class DeletedListTests(StorageUnderTest storage)
{
    [Fact]
    public async Task A_list_lookup_that_meets_more_429s_than_one_call_retries_is_asked_again_and_the_run_succeeds()
    {
        // One call gives up after two 429s here and the storm is five long: only asking again gets the run through.
        await using var w = await World.StartAsync(new WorldOptions { Storage = storage, SiloArgs = ["--CohortSync:Engine:MaxRateLimitRetries=2"] });
        var cohort = World.Users(0, 10);
        w.SetCohort("coh-1", "Stormy lookup", cohort);
        var destination = await w.EnableWithDestinationAsync();
        w.Iterable.Faults = new IterableFaults { RateLimitBurst = 5 };

        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "hourly");
        var run = await w.WaitForRunAsync(syncId, 1);

        Assert.True(run.Outcome == RunOutcome.Succeeded, $"{run.Outcome}: {run.Reason}");
        Assert.Equal(cohort.Order(StringComparer.Ordinal), w.ListMembers((await w.Sync(syncId).GetStatusAsync()).ListId!.Value).Order(StringComparer.Ordinal));
        Assert.Equal(5, w.IterableRequestsSince(0).Count(e => e.Path == "/api/lists" && e.Status == 429));
    }

    [Fact]
    public async Task A_list_creation_answered_503_is_looked_up_again_and_made_once_and_the_run_succeeds()
    {
        // The pipeline does not send a creation again (its answer lost, it may have made the list); a lookup after it decides.
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, 10);
        w.SetCohort("coh-1", "Unlucky creation", cohort);
        var destination = await w.EnableWithDestinationAsync();
        w.Iterable.Faults = new IterableFaults { ServerErrorBurst = 1, ServerErrorStatus = 503, WritesOnly = true };

        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "hourly");
        var run = await w.WaitForRunAsync(syncId, 1);

        // Before, the run failed ("could not find or create the Iterable list") and waited for its next hourly slot.
        Assert.True(run.Outcome == RunOutcome.Succeeded, $"{run.Outcome}: {run.Reason}");
        var creations = w.IterableRequestsSince(0).Where(e => e is { Method: "POST", Path: "/api/lists" }).Select(e => e.Status).ToList();
        Assert.Equal([503, 200], creations);
        var list = Assert.Single(w.Iterable.GetLists(World.IterableKey), l => l.Name == "[Amplitude] Unlucky creation");
        Assert.Equal(cohort.Order(StringComparer.Ordinal), w.ListMembers(list.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_list_deleted_in_Iterable_is_recreated_and_refilled_with_the_whole_cohort_on_the_next_run()
    {
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, 1500);
        w.SetCohort("coh-1", "Fragile list", cohort);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "hourly");
        await w.WaitForRunAsync(syncId, 1);
        var oldList = (await w.Sync(syncId).GetStatusAsync()).ListId!.Value;
        Assert.True(w.Iterable.DeleteList(World.IterableKey, oldList));
        var changed = cohort.Skip(10).Concat(World.Users(9000, 5)).ToList();
        w.SetCohort("coh-1", "Fragile list", changed);

        var run = await w.RunAndWaitAsync(syncId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Contains($"list {oldList} no longer exists", run.Reason);
        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.NotEqual(oldList, status.ListId);
        Assert.Equal(changed.Order(StringComparer.Ordinal), w.ListMembers(status.ListId!.Value));
        Assert.Equal(changed.Count, run.Counts.Added);
        Assert.Equal(0, run.Counts.Removed);
        Assert.Equal(changed.Count, status.SyncedCount);
        Assert.Single(w.Iterable.GetLists(World.IterableKey));
    }

    [Fact]
    public async Task Runs_that_start_together_share_one_lookup_of_the_lists_and_a_list_deleted_before_they_asked_is_recreated_by_the_run_that_writes_to_it()
    {
        await using var w = await World.StartAsync(storage);
        const int count = 10;
        var syncs = new List<string>();
        var destination = await w.EnableWithDestinationAsync();
        for (var i = 0; i < count; i++)
        {
            w.SetCohort($"coh-{i}", $"Steady {i}", World.Users(i * 100, 20));
            syncs.Add(await w.StartSyncIdAsync($"coh-{i}", destination));
        }
        foreach (var sync in syncs) await w.WaitForRunAsync(sync, 1);
        var gone = (await w.Sync(syncs[0]).GetStatusAsync()).ListId!.Value;
        Assert.True(w.Iterable.DeleteList(World.IterableKey, gone));
        // The deleted list's sync has a member to write; a recent lookup may still show the list, the write's answer not.
        w.SetCohort("coh-0", "Steady 0", World.Users(0, 21));
        // A slow Iterable: every lookup of the lists takes over a second, so the runs' checks meet on their way.
        w.Iterable.Faults = new IterableFaults { LatencyMs = 1500 };
        var mark = w.LastRequestSequence;

        await Task.WhenAll(syncs.Select(sync => w.Sync(sync).RunNowAsync()));
        var runs = await Task.WhenAll(syncs.Select(sync => w.WaitForRunAsync(sync, 2, TimeSpan.FromMinutes(2))));

        Assert.All(runs, run => Assert.Equal(RunOutcome.Succeeded, run.Outcome));
        var lookups = w.IterableRequestsSince(mark).Count(e => e.Method == "GET" && e.Path == "/api/lists");
        Assert.True(lookups <= count / 2, $"{count} runs sent {lookups} GET /api/lists");
        // Shared, and a deleted list still noticed: recreated and refilled with the whole cohort.
        Assert.Contains($"list {gone} no longer exists", runs[0].Reason);
        Assert.Equal(21, runs[0].Counts.Added);
        Assert.Equal(World.Users(0, 21).Order(StringComparer.Ordinal), w.ListMembers((await w.Sync(syncs[0]).GetStatusAsync()).ListId!.Value));
        Assert.All(runs.Skip(1), run => Assert.Equal((0, 0), (run.Counts.Added, run.Counts.Removed)));
    }

    [Fact]
    public async Task New_syncs_started_together_find_or_create_their_lists_with_shared_lookups_and_one_list_each()
    {
        await using var w = await World.StartAsync(storage);
        const int count = 10;
        var destination = await w.EnableWithDestinationAsync();
        for (var i = 0; i < count; i++) w.SetCohort($"coh-{i}", $"New {i}", World.Users(i * 100, 5));
        w.Iterable.Faults = new IterableFaults { LatencyMs = 1500 };
        var mark = w.LastRequestSequence;

        var syncs = await Task.WhenAll(Enumerable.Range(0, count).Select(i => w.StartSyncIdAsync($"coh-{i}", destination)));
        var runs = await Task.WhenAll(syncs.Select(sync => w.WaitForRunAsync(sync, 1, TimeSpan.FromMinutes(2))));

        Assert.All(runs, run => Assert.Equal((RunOutcome.Succeeded, 5), (run.Outcome, run.Counts.Added)));
        var requests = w.IterableRequestsSince(mark);
        var lookups = requests.Count(e => e.Method == "GET" && e.Path == "/api/lists");
        Assert.True(lookups <= count / 2, $"{count} new syncs sent {lookups} GET /api/lists");
        Assert.Equal(count, requests.Count(e => e.Method == "POST" && e.Path == "/api/lists"));
        Assert.Equal(count, w.Iterable.GetLists(World.IterableKey).Select(l => l.Name).Distinct().Count());
        Assert.Equal(count, w.Iterable.GetLists(World.IterableKey).Count);
    }

    [Fact]
    public async Task Syncs_of_two_destinations_with_one_key_racing_for_the_same_name_get_a_list_each_created_once_and_ride_out_invalidListId()
    {
        await using var w = await World.StartAsync(storage);
        w.Iterable.Faults = new IterableFaults { NotReadySubscribesAfterCreate = 2 };
        var cohort = World.Users(0, 300);
        w.SetCohort("coh-1", "Shared name", cohort);
        var first = await w.EnableWithDestinationAsync(name: "one");
        var second = (await w.Project.AddDestinationAsync(new AddDestinationRequest("two", World.IterableKey, null, null, w.Sandbox.BaseUrl.ToString()))).DestinationId;

        var syncs = await Task.WhenAll(w.StartSyncIdAsync("coh-1", first), w.StartSyncIdAsync("coh-1", second));
        var runs = await Task.WhenAll(syncs.Select(id => w.WaitForRunAsync(id, 1)));

        Assert.All(runs, run => Assert.Equal(RunOutcome.Succeeded, run.Outcome));
        // One list, one owner: the second sync gets a list of its own, each created once, whoever asked first.
        var lists = w.Iterable.GetLists(World.IterableKey);
        Assert.Equal(["[Amplitude] Shared name", "[Amplitude] Shared name (coh-1)"], lists.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, w.IterableWritesSince(0).Count(e => e.Path == "/api/lists" && e.Method == "POST"));
        Assert.All(lists, list => Assert.Equal(cohort, w.ListMembers(list.Id)));
        Assert.Contains(w.IterableWritesSince(0), e => e.Path == "/api/lists/subscribe" && e.Status == 400);
    }
}

public sealed class DeletedListTestsOnSqlite() : DeletedListTests(StorageUnderTest.Sqlite);

[Collection(nameof(DeliveryOnPostgresCollection))]
public sealed class DeletedListTestsOnPostgres(PostgresFixture postgres) : DeletedListTests(StorageUnderTest.Postgres(postgres));
