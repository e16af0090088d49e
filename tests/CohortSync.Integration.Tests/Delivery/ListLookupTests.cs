using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>
/// Many syncs on one Iterable key: a run learns its list exists from the project's recent lookup of its lists, so
/// lookups (each returning every list of the project) grow with the syncs, not with syncs × runs; a list deleted
/// while that lookup still shows it is recreated by the next run that writes to it.
/// </summary>
public abstract class ListLookupTests(StorageUnderTest storage)
{
    // Long enough that every run of a test is answered by one lookup, so the counts do not depend on the machine's speed.
    private static readonly string[] LongLookups = ["--CohortSync:Engine:ListLookupMaxAge=00:30:00"];

    [Fact]
    public async Task Runs_of_many_syncs_on_one_key_are_answered_by_the_recent_lookup_instead_of_one_lookup_each()
    {
        await using var w = await World.StartAsync(storage, LongLookups);
        const int count = 8;
        var destination = await w.EnableWithDestinationAsync();
        // destination add checked the key with one lookup of its own: counted from here on.
        var start = w.LastRequestSequence;
        var syncs = new List<string>();
        for (var i = 0; i < count; i++)
        {
            w.SetCohort($"coh-{i}", $"Many {i}", World.Users(i * 100, 10));
            syncs.Add(await w.StartSyncIdAsync($"coh-{i}", destination));
            await w.WaitForRunAsync(syncs[^1], 1);
        }
        var afterCreation = w.IterableRequestsSince(start).Count(IsLookup);
        var mark = w.LastRequestSequence;

        for (var i = 0; i < count; i++)
        {
            w.SetCohort($"coh-{i}", $"Many {i}", World.Users(i * 100, 11));
            var run = await w.RunAndWaitAsync(syncs[i]);
            Assert.Equal((RunOutcome.Succeeded, 1L), (run.Outcome, run.Counts.Added));
        }

        // Each new list needed one lookup made after its sync asked (never a duplicate list); the runs after it, none.
        Assert.InRange(afterCreation, 1, count);
        Assert.Equal(0, w.IterableRequestsSince(mark).Count(IsLookup));
        Assert.Equal(count, w.Iterable.GetLists(World.IterableKey).Count);
    }

    [Fact]
    public async Task A_list_deleted_while_the_recent_lookup_still_shows_it_is_recreated_by_the_next_run_that_writes_to_it()
    {
        await using var w = await World.StartAsync(storage, LongLookups);
        var cohort = World.Users(0, 1500);
        w.SetCohort("coh-1", "Fragile list", cohort);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "hourly");
        await w.WaitForRunAsync(syncId, 1);
        var oldList = (await w.Sync(syncId).GetStatusAsync()).ListId!.Value;
        Assert.True(w.Iterable.DeleteList(World.IterableKey, oldList));
        var changed = cohort.Skip(10).Concat(World.Users(9000, 5)).ToList();
        w.SetCohort("coh-1", "Fragile list", changed);
        var mark = w.LastRequestSequence;

        var run = await w.RunAndWaitAsync(syncId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Contains($"list {oldList} no longer exists", run.Reason);
        // The first write met invalidListId; only then was the project looked up again.
        var requests = w.IterableRequestsSince(mark);
        Assert.Equal(400, requests.First(e => e.Method == "POST" && e.Path.StartsWith("/api/lists/", StringComparison.Ordinal)).Status);
        Assert.InRange(requests.Count(IsLookup), 1, 2);
        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.NotEqual(oldList, status.ListId);
        Assert.Equal(changed.Order(StringComparer.Ordinal), w.ListMembers(status.ListId!.Value));
        Assert.Equal((changed.Count, 0L), (run.Counts.Added, run.Counts.Removed));
        Assert.Equal(changed.Count, status.SyncedCount);
        Assert.Single(w.Iterable.GetLists(World.IterableKey));
    }

    private static bool IsLookup(CohortSync.Sandbox.RequestLogging.RequestLogEntry entry) => entry.Method == "GET" && entry.Path == "/api/lists";
}

public sealed class ListLookupTestsOnSqlite() : ListLookupTests(StorageUnderTest.Sqlite);

[Collection(nameof(DeliveryOnPostgresCollection))]
public sealed class ListLookupTestsOnPostgres(PostgresFixture postgres) : ListLookupTests(StorageUnderTest.Postgres(postgres));
