using System.Net.Http.Json;
using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>What Iterable says member by member in a 200 answer, and what the engine makes of it.</summary>
public abstract class PerMemberOutcomeTests(StorageUnderTest storage)
{
    [Fact]
    public async Task Refused_members_are_counted_by_reason_kept_out_of_the_list_and_not_sent_again_until_their_identifier_changes()
    {
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, 30);
        w.Iterable.MarkUsers(World.IterableKey, IterableUserMark.Forgotten, [cohort[0], cohort[1]]);
        w.Iterable.MarkUsers(World.IterableKey, IterableUserMark.Conflict, [cohort[2], cohort[3]]);
        w.Iterable.MarkUsers(World.IterableKey, IterableUserMark.InvalidData, [cohort[4]]);
        w.Iterable.MarkUsers(World.IterableKey, IterableUserMark.Invalid, [cohort[5]]);
        var refused = cohort.Take(6).ToList();
        w.SetCohort("coh-1", "Picky", cohort);
        var destination = await w.EnableWithDestinationAsync();

        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "hourly");
        var first = await w.WaitForRunAsync(syncId, 1);

        Assert.Equal(RunOutcome.Succeeded, first.Outcome);
        Assert.Equal(24, first.Counts.Added);
        Assert.Equal(new Dictionary<string, long> { ["forgotten"] = 2, ["conflict"] = 2, ["invalidData"] = 1, ["invalid"] = 1 }, first.Counts.Rejected);
        Assert.Contains("conflict:" + cohort[2], first.Counts.RejectedSample);
        Assert.Contains("forgotten:" + cohort[0], first.Counts.RejectedSample);
        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.Equal(24, status.SyncedCount);
        Assert.Equal(cohort.Skip(6), w.ListMembers(status.ListId!.Value));

        // Same cohort: the refused members are held back, not sent again.
        var mark = w.LastRequestSequence;
        var second = await w.RunAndWaitAsync(syncId);
        Assert.Equal(RunOutcome.Succeeded, second.Outcome);
        Assert.Empty(w.IterableWritesSince(mark));
        Assert.Equal(6, second.Counts.HeldBack);
        Assert.Empty(second.Counts.Rejected);

        // The conflicting member's identifier changes: the new identifier is sent, the old one is forgotten.
        var renamed = cohort[2] + "-b";
        w.SetCohort("coh-1", "Picky", cohort.Where(id => id != cohort[2]).Append(renamed));
        mark = w.LastRequestSequence;
        var third = await w.RunAndWaitAsync(syncId);
        var subscribe = Assert.Single(w.IterableWritesSince(mark));
        Assert.Equal([renamed], subscribe.UserIds);
        Assert.Equal(5, third.Counts.HeldBack);
        Assert.Equal(1, third.Counts.Added);
        Assert.DoesNotContain(refused, w.ListMembers(status.ListId!.Value).Contains);
    }

    [Fact]
    public async Task Refused_members_are_listed_with_reasons_and_sent_again_on_demand_once_fixed_in_Iterable()
    {
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, 10);
        w.Iterable.MarkUsers(World.IterableKey, IterableUserMark.Conflict, [cohort[1]]);
        w.Iterable.MarkUsers(World.IterableKey, IterableUserMark.InvalidData, [cohort[7], cohort[8]]);
        w.SetCohort("coh-1", "Picky", cohort);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "daily");
        var first = await w.WaitForRunAsync(syncId, 1);

        var page = await w.Sync(syncId).GetRefusedAsync(null, 2);
        var rest = await w.Sync(syncId).GetRefusedAsync(page.Next, 2);

        Assert.Equal((3L, cohort[7]), (page.Total, page.Next));
        Assert.Equal([(cohort[1], "conflict"), (cohort[7], "invalidData")], page.Members.Select(m => (m.Member, m.Reason)));
        Assert.All(page.Members, m => Assert.Equal(TimeSpan.FromDays(7), m.RetryAfter - m.RefusedAt));
        Assert.InRange(page.Members[0].RefusedAt, first.StartedAt.AddSeconds(-1), DateTimeOffset.UtcNow);
        Assert.Equal([cohort[8]], rest.Members.Select(m => m.Member));
        Assert.Null(rest.Next);

        // The operator fixes two of them in Iterable and asks for a retry: both go, the one still refused stays listed.
        w.Iterable.UnmarkUsers(World.IterableKey, [cohort[1], cohort[7]]);
        var mark = w.LastRequestSequence;
        await w.Sync(syncId).RunNowAsync(new RunNowRequest { RetryRefused = true });
        var retried = await w.WaitForRunAsync(syncId, 2);

        Assert.True(retried.RetryRefused);
        Assert.Equal((2L, 0L), (retried.Counts.Added, retried.Counts.HeldBack));
        Assert.Equal([cohort[1], cohort[7], cohort[8]], Assert.Single(w.IterableWritesSince(mark)).UserIds!.Order(StringComparer.Ordinal));
        var left = await w.Sync(syncId).GetRefusedAsync(null, 100);
        Assert.Equal([(cohort[8], "invalidData")], left.Members.Select(m => (m.Member, m.Reason)));
        // Stored to the millisecond: the run's start, the clock of the new cooldown.
        Assert.InRange(left.Members[0].RefusedAt, retried.StartedAt.AddMilliseconds(-1), retried.StartedAt);
        Assert.Equal(9, w.ListMembers((await w.StatusAsync(syncId)).ListId!.Value).Count);

        // Without the flag, the one refused again waits for its cooldown.
        mark = w.LastRequestSequence;
        var plain = await w.RunAndWaitAsync(syncId);
        Assert.Equal((false, 1L), (plain.RetryRefused, plain.Counts.HeldBack));
        Assert.Empty(w.IterableWritesSince(mark));
    }

    [Fact]
    public async Task Removing_a_member_Iterable_no_longer_has_counts_as_removed()
    {
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, 10);
        w.SetCohort("coh-1", "Leavers", cohort);
        var destination = await w.EnableWithDestinationAsync();
        var syncId = await w.StartSyncIdAsync("coh-1", destination, cadence: "hourly");
        await w.WaitForRunAsync(syncId, 1);
        var listId = (await w.Sync(syncId).GetStatusAsync()).ListId!.Value;
        // Someone else takes two members out of the list in Iterable.
        using (var http = new HttpClient { BaseAddress = w.Sandbox.BaseUrl })
        {
            http.DefaultRequestHeaders.Add("Api-Key", World.IterableKey);
            var response = await http.PostAsJsonAsync("/api/lists/unsubscribe",
                new { listId, subscribers = new[] { new { userId = cohort[0] }, new { userId = cohort[1] } }, channelUnsubscribe = false });
            response.EnsureSuccessStatusCode();
        }
        w.SetCohort("coh-1", "Leavers", cohort.Skip(3));

        var run = await w.RunAndWaitAsync(syncId);

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        Assert.Equal(3, run.Counts.Removed);
        Assert.Empty(run.Counts.Rejected);
        Assert.Equal(7, (await w.Sync(syncId).GetStatusAsync()).SyncedCount);
        Assert.Equal(cohort.Skip(3), w.ListMembers(listId));
    }
}

public sealed class PerMemberOutcomeTestsOnSqlite() : PerMemberOutcomeTests(StorageUnderTest.Sqlite);

[Collection(nameof(DeliveryOnPostgresCollection))]
public sealed class PerMemberOutcomeTestsOnPostgres(PostgresFixture postgres) : PerMemberOutcomeTests(StorageUnderTest.Postgres(postgres));
