using CohortSync.Contracts;
using CohortSync.Delivery.Tests.Harness;
using CohortSync.Sandbox.Iterable;

namespace CohortSync.Delivery.Tests;

/// <summary>Lists that vanish, lists not ready yet, and lists several syncs want at the same moment.</summary>
public sealed class DeletedListTests
{
    [Fact]
    public async Task A_list_deleted_in_Iterable_is_recreated_and_refilled_with_the_whole_cohort_on_the_next_run()
    {
        await using var w = await DeliveryWorld.StartAsync();
        var cohort = DeliveryWorld.Users(0, 1500);
        w.SetCohort("coh-1", "Fragile list", cohort);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncAsync("coh-1", destination, cadence: "hourly");
        await w.WaitForRunAsync(syncId, 1);
        var oldList = (await w.Sync(syncId).GetStatusAsync()).ListId!.Value;
        Assert.True(w.Iterable.DeleteList(DeliveryWorld.IterableKey, oldList));
        var changed = cohort.Skip(10).Concat(DeliveryWorld.Users(9000, 5)).ToList();
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
        Assert.Single(w.Iterable.GetLists(DeliveryWorld.IterableKey));
    }

    [Fact]
    public async Task Syncs_of_two_destinations_with_one_key_racing_for_the_same_list_create_it_once_and_ride_out_invalidListId()
    {
        await using var w = await DeliveryWorld.StartAsync();
        w.Iterable.Faults = new IterableFaults { NotReadySubscribesAfterCreate = 2 };
        var cohort = DeliveryWorld.Users(0, 300);
        w.SetCohort("coh-1", "Shared name", cohort);
        var first = await w.EnableWithDestinationAsync(name: "one");
        var second = (await w.Project.AddDestinationAsync(new AddDestinationRequest("two", DeliveryWorld.IterableKey, null, null, w.Sandbox.BaseUrl.ToString()))).DestinationId;

        var syncs = await Task.WhenAll(w.StartSyncAsync("coh-1", first), w.StartSyncAsync("coh-1", second));
        var runs = await Task.WhenAll(syncs.Select(id => w.WaitForRunAsync(id, 1)));

        Assert.All(runs, run => Assert.Equal(RunOutcome.Succeeded, run.Outcome));
        var list = Assert.Single(w.Iterable.GetLists(DeliveryWorld.IterableKey));
        Assert.Single(w.IterableWritesSince(0), e => e.Path == "/api/lists" && e.Method == "POST");
        Assert.Equal(cohort, w.ListMembers(list.Id));
        Assert.Contains(w.IterableWritesSince(0), e => e.Path == "/api/lists/subscribe" && e.Status == 400);
    }
}
