using CohortSync.Contracts;
using CohortSync.Testing;
using CohortSync.Sandbox.Iterable;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>429 answers slow a run down; they never make it fail, lose a member or send anything twice.</summary>
public abstract class RateLimitTests(StorageUnderTest storage)
{
    [Theory]
    [InlineData(false, null)]
    [InlineData(true, 1)]
    public async Task A_429_storm_on_a_third_of_writes_ends_with_the_exact_list_and_only_the_refused_writes_sent_again(bool plainText, int? retryAfterSeconds)
    {
        await using var w = await World.StartAsync(storage);
        var cohort = World.Users(0, 12_000);
        w.SetCohort("coh-1", "Stormy", cohort);
        var destination = await w.EnableWithDestinationAsync();
        w.Iterable.Faults = new IterableFaults
        {
            WritesOnly = true, RateLimitPercent = 30, Seed = 1234, PlainTextRateLimit = plainText, RetryAfterSeconds = retryAfterSeconds,
        };

        var syncId = await w.StartSyncIdAsync("coh-1", destination);
        var run = await w.WaitForRunAsync(syncId, 1, TimeSpan.FromSeconds(120));

        Assert.Equal(RunOutcome.Succeeded, run.Outcome);
        var status = await w.Sync(syncId).GetStatusAsync();
        Assert.Equal(cohort, w.ListMembers(status.ListId!.Value));
        var writes = w.IterableWritesSince(0);
        var limited = writes.Where(e => e.Status == 429).ToList();
        Assert.NotEmpty(limited);
        const int minimum = 1 + 12; // create the list, then one subscribe per thousand
        Assert.Equal(minimum, writes.Count - limited.Count);
        Assert.Equal(limited.Count(e => e.Path == "/api/lists/subscribe"), run.Counts.Retries);
        Assert.Equal(12_000, run.Counts.Added);
        if (retryAfterSeconds is { } seconds)
        {
            // Retry-After is honoured: no write starts until it has passed. A request already on its way when the 429
            // was answered cannot be called back: one that reaches Iterable within InTransit of the answer was sent before
            // the client could have read it.
            var inTransit = TimeSpan.FromMilliseconds(50);
            foreach (var answer in limited)
            {
                var answeredAt = answer.Time.AddMilliseconds(answer.DurationMs);
                var next = writes.Where(e => e.Time >= answeredAt + inTransit && e != answer).MinBy(e => e.Time);
                if (next is not null) Assert.True(next.Time - answeredAt >= TimeSpan.FromSeconds(seconds * 0.9), $"write {next.Sequence} went {(next.Time - answeredAt).TotalMilliseconds:0} ms after a 429 asking for {seconds} s");
            }
        }
    }
}

public sealed class RateLimitTestsOnSqlite() : RateLimitTests(StorageUnderTest.Sqlite);

[Collection(nameof(DeliveryOnPostgresCollection))]
public sealed class RateLimitTestsOnPostgres(PostgresFixture postgres) : RateLimitTests(StorageUnderTest.Postgres(postgres));
