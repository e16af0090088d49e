using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests;

/// <summary>The run algorithm end to end: real silo on each storage backend, real HTTP to the sandbox.</summary>
public abstract class SyncRunTests(StorageUnderTest storage)
{
    [Theory]
    [InlineData(1000, 1)]
    [InlineData(2500, 3)]
    public async Task First_run_puts_exactly_the_cohort_in_the_list_with_one_request_per_thousand(int members, int expectedRequests)
    {
        await using var s = await World.StartAsync(storage);
        var cohort = World.Users(0, members);
        s.SetCohort("coh-1", "Power users", cohort);
        var destination = await s.EnableWithDestinationAsync();

        var sync = await s.StartSyncAsync("coh-1", destination);
        var run = await s.WaitForRunAsync(sync.SyncId, 1);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var status = await s.Sync(sync.SyncId).GetStatusAsync();
        Assert.Equal("[Amplitude] Power users", status.ListName);
        Assert.Equal(cohort.Order(StringComparer.Ordinal), s.ListMembers(status.ListId!.Value).Order(StringComparer.Ordinal));
        var subscribes = s.Sandbox.Requests.Snapshot().Where(e => e.Path == "/api/lists/subscribe").ToList();
        Assert.Equal(expectedRequests, subscribes.Count);
        Assert.All(subscribes, e => Assert.True(e.SubscriberCount <= 1000));
        Assert.Equal(members, run.Counts.Added);
        Assert.Equal(members, status.SyncedCount);
    }

    [Fact]
    public async Task Changed_cohort_sends_one_subscribe_of_the_entrants_and_one_unsubscribe_of_the_leavers()
    {
        await using var s = await World.StartAsync(storage);
        var original = World.Users(0, 1000);
        s.SetCohort("coh-1", "Churn", original);
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination);
        await s.WaitForRunAsync(sync.SyncId, 1);

        var leavers = original.Take(5).ToList();
        var entrants = World.Users(5000, 10);
        var changed = original.Skip(5).Concat(entrants).ToList();
        s.SetCohort("coh-1", "Churn", changed);
        var mark = s.LastRequestSequence;

        var run = await s.RunAndWaitAsync(sync.SyncId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var writes = s.IterableWritesSince(mark);
        Assert.Equal(2, writes.Count);
        var unsubscribe = Assert.Single(writes, w => w.Path == "/api/lists/unsubscribe");
        var subscribe = Assert.Single(writes, w => w.Path == "/api/lists/subscribe");
        Assert.Equal(leavers.Order(StringComparer.Ordinal), unsubscribe.UserIds!.Order(StringComparer.Ordinal));
        Assert.Equal(entrants.Order(StringComparer.Ordinal), subscribe.UserIds!.Order(StringComparer.Ordinal));
        Assert.False(unsubscribe.ChannelUnsubscribe ?? true, "channelUnsubscribe must be sent as false");
        Assert.Equal((10, 5), (run.Counts.Added, run.Counts.Removed));
        var listId = (await s.Sync(sync.SyncId).GetStatusAsync()).ListId!.Value;
        Assert.Equal(changed.Order(StringComparer.Ordinal), s.ListMembers(listId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unchanged_cohort_sends_no_subscribe_or_unsubscribe()
    {
        await using var s = await World.StartAsync(storage);
        s.SetCohort("coh-1", "Steady", World.Users(0, 1000));
        var destination = await s.EnableWithDestinationAsync();
        var sync = await s.StartSyncAsync("coh-1", destination);
        await s.WaitForRunAsync(sync.SyncId, 1);
        var mark = s.LastRequestSequence;

        var run = await s.RunAndWaitAsync(sync.SyncId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Empty(s.IterableWritesSince(mark));
        Assert.Equal((0, 0, 0), (run.Counts.Added, run.Counts.Removed, run.Counts.Requests));
    }

    [Fact]
    public async Task Mapped_property_fills_the_list_with_its_values_and_counts_members_without_it()
    {
        await using var s = await World.StartAsync(storage);
        var members = Enumerable.Range(0, 100).Select(i => new AmplitudeMember(
            5_000 + i,
            $"user-{i}",
            i % 10 == 0 ? null : new Dictionary<string, string?> { ["crm_id"] = $"crm-{i:D4}" })).ToList();
        s.SetCohortMembers("coh-2", "Mapped", members);
        var destination = await s.EnableWithDestinationAsync(userProperty: "crm_id");

        var sync = await s.StartSyncAsync("coh-2", destination);
        var run = await s.WaitForRunAsync(sync.SyncId, 1);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(10, run.Counts.Skipped);
        Assert.Equal(90, run.Counts.Desired);
        var listId = (await s.Sync(sync.SyncId).GetStatusAsync()).ListId!.Value;
        var expected = Enumerable.Range(0, 100).Where(i => i % 10 != 0).Select(i => $"crm-{i:D4}").Order(StringComparer.Ordinal);
        Assert.Equal(expected, s.ListMembers(listId).Order(StringComparer.Ordinal));
        var cohortRequest = Assert.Single(s.Sandbox.Requests.Snapshot(), e => e.Path.StartsWith("/api/5/cohorts/request/coh-2", StringComparison.Ordinal));
        Assert.Contains("propKeys=crm_id", cohortRequest.Query);
    }

    [Fact]
    public async Task Invalid_identifiers_are_counted_and_never_sent()
    {
        await using var s = await World.StartAsync(storage);
        string[] bad = [" padded", "trailing ", new string('x', 53), "tab\tinside", "ünïcode"];
        s.SetCohort("coh-3", "Mixed", World.Users(0, 20).Concat(bad));
        var destination = await s.EnableWithDestinationAsync();

        var sync = await s.StartSyncAsync("coh-3", destination);
        var run = await s.WaitForRunAsync(sync.SyncId, 1);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(bad.Length, run.Counts.Invalid);
        Assert.Equal(20, run.Counts.Added);
        var sent = s.Sandbox.Requests.Snapshot().Where(e => e.Path == "/api/lists/subscribe").SelectMany(e => e.UserIds!);
        Assert.DoesNotContain(sent, id => bad.Contains(id));
    }
}

/// <summary>One collection (tests run one after another) sharing one throwaway PostgreSQL server; each scenario gets its own database.</summary>
[CollectionDefinition(nameof(SiloCollection))]
public sealed class SiloCollection : ICollectionFixture<PostgresFixture>;

[Collection(nameof(SiloCollection))]
public sealed class SyncRunTestsOnSqlite() : SyncRunTests(StorageUnderTest.Sqlite);

[Collection(nameof(SiloCollection))]
public sealed class SyncRunTestsOnPostgres(PostgresFixture postgres) : SyncRunTests(StorageUnderTest.Postgres(postgres));
