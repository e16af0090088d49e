using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>
/// One list, one owner: two syncs never write the same Iterable list, whether two cohorts share a name or one cohort
/// goes to two destinations on one Iterable project; and a renamed cohort keeps writing, and reporting, its real list.
/// </summary>
public abstract class ListOwnerTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Two_cohorts_that_share_a_name_get_a_list_each_and_a_member_leaving_one_stays_in_the_other()
    {
        await using var w = await World.StartAsync(storage);
        w.SetCohort("s1", "Same", ["a", "b", "both"]);
        w.SetCohort("s2", "Same", ["c", "both"]);
        var destination = await w.EnableWithDestinationAsync();

        var first = await w.StartSyncIdAsync("s1", destination, cadence: "daily");
        Assert.Equal(RunOutcome.Succeeded, (await w.WaitForRunAsync(first, 1)).Outcome);
        var second = await w.StartSyncIdAsync("s2", destination, cadence: "daily");
        Assert.Equal(RunOutcome.Succeeded, (await w.WaitForRunAsync(second, 1)).Outcome);

        var one = await w.StatusAsync(first);
        var two = await w.StatusAsync(second);
        Assert.Equal(("[Amplitude] Same", "[Amplitude] Same (s2)"), (one.ListName, two.ListName));
        Assert.NotEqual(one.ListId, two.ListId);
        Assert.Equal(["a", "b", "both"], w.ListMembers(one.ListId!.Value).Order(StringComparer.Ordinal));
        Assert.Equal(["both", "c"], w.ListMembers(two.ListId!.Value).Order(StringComparer.Ordinal));

        // "both" leaves s1 only: it goes from s1's list and stays in s2's.
        w.SetCohort("s1", "Same", ["a", "b"]);
        Assert.Equal(RunOutcome.Succeeded, (await w.RunAndWaitAsync(first)).Outcome);
        Assert.Equal(RunOutcome.Succeeded, (await w.RunAndWaitAsync(second)).Outcome);
        Assert.Equal(["a", "b"], w.ListMembers(one.ListId.Value).Order(StringComparer.Ordinal));
        Assert.Equal(["both", "c"], w.ListMembers(two.ListId.Value).Order(StringComparer.Ordinal));
        Assert.Equal(2, w.Iterable.GetLists(World.IterableKey).Count(l => l.Name.StartsWith("[Amplitude] Same", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task One_cohort_to_two_destinations_on_one_Iterable_project_gets_two_lists_and_a_deleted_one_frees_its_name()
    {
        await using var w = await World.StartAsync(storage);
        w.SetCohort("coh-1", "Buyers", ["a", "b"]);
        var us = await w.EnableWithDestinationAsync(name: "first");
        var again = await w.EnableWithDestinationAsync(name: "second");

        var first = await w.StartSyncIdAsync("coh-1", us, cadence: "daily");
        var firstRun = await w.WaitForRunAsync(first, 1);
        Assert.True(firstRun.Outcome == RunOutcome.Succeeded, firstRun.Reason);
        var second = await w.StartSyncIdAsync("coh-1", again, cadence: "daily");
        var secondRun = await w.WaitForRunAsync(second, 1);
        Assert.True(secondRun.Outcome == RunOutcome.Succeeded, secondRun.Reason);

        Assert.Equal("[Amplitude] Buyers", (await w.StatusAsync(first)).ListName);
        Assert.Equal("[Amplitude] Buyers (coh-1)", (await w.StatusAsync(second)).ListName);

        // The first sync deletes its list when it stops: a new sync of the cohort may take the plain name again.
        await w.Sync(first).StopAsync(ListOnStop.Delete);
        Assert.Equal(RunOutcome.Succeeded, (await w.WaitForRunAsync(first, 2)).Outcome);
        var third = await w.StartSyncIdAsync("coh-1", us, cadence: "daily");
        var thirdRun = await w.WaitForRunAsync(third, 1);
        Assert.True(thirdRun.Outcome == RunOutcome.Succeeded, thirdRun.Reason);
        Assert.Equal("[Amplitude] Buyers", (await w.StatusAsync(third)).ListName);
    }

    [Fact]
    public async Task A_renamed_cohort_keeps_writing_its_list_reports_its_real_name_and_says_it_was_renamed()
    {
        await using var w = await World.StartAsync(storage);
        w.SetCohort("coh-1", "Old Name", ["a", "b"]);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "daily");
        await w.WaitForRunAsync(syncId, 1);
        var listId = (await w.StatusAsync(syncId)).ListId;

        w.SetCohort("coh-1", "New Name", ["a", "c"]);
        var run = await w.RunAndWaitAsync(syncId);
        var status = await w.StatusAsync(syncId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal("the cohort is now called 'New Name' in Amplitude; its list keeps its name [Amplitude] Old Name (Iterable lists cannot be renamed)", run.Reason);
        Assert.Equal(("New Name", "[Amplitude] Old Name", listId), (status.CohortName, status.ListName, status.ListId));
        Assert.Equal(["a", "c"], w.ListMembers(listId!.Value).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(w.Iterable.GetLists(World.IterableKey), l => l.Name == "[Amplitude] New Name");
    }

    [Fact]
    public async Task Follow_rename_with_the_old_list_deleted_fills_a_new_list_under_the_new_name_exactly()
    {
        await using var w = await World.StartAsync(storage);
        var (syncId, oldListId) = await RenamedAsync(w);
        Assert.True((await w.StatusAsync(syncId)).CohortRenamed);

        await w.Sync(syncId).FollowRenameAsync(ListOnStop.Delete);
        var moved = await w.WaitForRunAsync(syncId, 3);
        var status = await w.StatusAsync(syncId);

        Assert.True(moved.Outcome == RunOutcome.Succeeded, moved.Reason);
        Assert.Equal(("follow-rename", ListOnStop.Delete), (moved.Trigger, moved.LeftList));
        Assert.Equal("the cohort was renamed in Amplitude: the sync moved from [Amplitude] Old Name to a new list under its current name; "
            + "the old list was deleted and this sync no longer writes it", moved.Reason);
        Assert.Equal(("[Amplitude] New Name", false, 2L), (status.ListName, status.CohortRenamed, status.SyncedCount));
        Assert.NotEqual(oldListId, status.ListId);
        Assert.Equal(["a", "c"], w.ListMembers(status.ListId!.Value).Order(StringComparer.Ordinal));
        Assert.Equal(2L, moved.Counts.Added);
        Assert.DoesNotContain(w.Iterable.GetLists(World.IterableKey), l => l.Name == "[Amplitude] Old Name");
    }

    [Fact]
    public async Task Follow_rename_keeping_the_old_list_never_writes_it_again()
    {
        await using var w = await World.StartAsync(storage);
        var (syncId, oldListId) = await RenamedAsync(w);

        await w.Sync(syncId).FollowRenameAsync(ListOnStop.Keep);
        Assert.Equal(RunOutcome.Succeeded, (await w.WaitForRunAsync(syncId, 3)).Outcome);
        w.SetCohort("coh-1", "New Name", ["c", "d"]);
        Assert.Equal(RunOutcome.Succeeded, (await w.RunAndWaitAsync(syncId)).Outcome);
        var status = await w.StatusAsync(syncId);

        Assert.Equal("[Amplitude] New Name", status.ListName);
        Assert.Equal(["c", "d"], w.ListMembers(status.ListId!.Value).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "c"], w.ListMembers(oldListId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Follow_rename_emptying_the_old_list_unsubscribes_what_the_sync_put_there()
    {
        await using var w = await World.StartAsync(storage);
        var (syncId, oldListId) = await RenamedAsync(w);

        await w.Sync(syncId).FollowRenameAsync(ListOnStop.Empty);
        var moved = await w.WaitForRunAsync(syncId, 3);
        var status = await w.StatusAsync(syncId);

        Assert.True(moved.Outcome == RunOutcome.Succeeded, moved.Reason);
        Assert.Empty(w.ListMembers(oldListId));
        Assert.Equal(["a", "c"], w.ListMembers(status.ListId!.Value).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Follow_rename_of_a_cohort_not_renamed_says_so_and_changes_nothing()
    {
        await using var w = await World.StartAsync(storage);
        w.SetCohort("coh-1", "Same Name", ["a", "b"]);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "daily");
        await w.WaitForRunAsync(syncId, 1);
        var before = await w.StatusAsync(syncId);

        var refused = await Assert.ThrowsAsync<CohortSyncException>(() => w.Sync(syncId).FollowRenameAsync(ListOnStop.Delete));
        var after = await w.StatusAsync(syncId);

        Assert.Equal(ErrorCodes.InvalidState, refused.Code);
        Assert.Equal("cohort coh-1 was not renamed (its last run read it as 'Same Name', which gives the list name [Amplitude] Same Name); nothing changed. A rename made in Amplitude since is seen by the next run (cohortsync sync run)", refused.Message);
        Assert.Equal((before.ListId, before.ListName, before.State, 1), (after.ListId, after.ListName, after.State, (await w.HistoryAsync(syncId)).Count));
        Assert.False(after.CohortRenamed);
        Assert.Equal(["a", "b"], w.ListMembers(before.ListId!.Value).Order(StringComparer.Ordinal));
    }

    /// <summary>A sync of "Old Name" ({a, b}) whose cohort is now "New Name" ({a, c}), run once since: its list id.</summary>
    private static async Task<(string SyncId, long ListId)> RenamedAsync(World w)
    {
        w.SetCohort("coh-1", "Old Name", ["a", "b"]);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "daily");
        await w.WaitForRunAsync(syncId, 1);
        w.SetCohort("coh-1", "New Name", ["a", "c"]);
        Assert.Equal(RunOutcome.Succeeded, (await w.RunAndWaitAsync(syncId)).Outcome);
        return (syncId, (await w.StatusAsync(syncId)).ListId!.Value);
    }
}

[Collection(nameof(SiloCollection))]
public sealed class ListOwnerTestsOnSqlite() : ListOwnerTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class ListOwnerTestsOnPostgres(PostgresFixture postgres) : ListOwnerTests(StorageUnderTest.Postgres(postgres));
