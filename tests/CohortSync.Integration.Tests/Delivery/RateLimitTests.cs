using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Delivery;

/// <summary>429 answers slow a run down; they never make it fail, lose a member or send anything twice.</summary>
public abstract class RateLimitTests(StorageUnderTest storage)
{
    [Theory]
    [InlineData(false, null)]
    [InlineData(true, 1)]
    public async Task A_429_storm_on_a_third_of_writes_ends_with_the_exact_list_and_only_the_refused_writes_sent_again(bool plainText, int? retryAfterSeconds)
    {
        // With Retry-After, one request in flight: no write of the run is on its way while another is answered 429,
        // so every write that reaches Iterable inside a 429's pause was sent against it.
        await using var w = retryAfterSeconds is null
            ? await World.StartAsync(storage)
            : await World.StartAsync(storage, "--CohortSync:Engine:RequestsInFlight=1");
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
            // Retry-After is honoured: inside each 429's pause (from its answer, less a tenth for the two clocks) no
            // write reaches Iterable, its own retry included; the refused write is sent again after it.
            foreach (var answer in limited)
            {
                var answeredAt = answer.Time.AddMilliseconds(answer.DurationMs);
                var pauseEnds = answeredAt + TimeSpan.FromSeconds(seconds * 0.9);
                var inPause = writes.Where(e => e.Sequence != answer.Sequence && e.Time >= answeredAt && e.Time < pauseEnds).Select(e => e.Sequence).ToList();
                Assert.True(inPause.Count == 0, $"writes {string.Join(", ", inPause)} reached Iterable inside the {seconds} s pause asked for by 429 {answer.Sequence}");
            }
            Assert.All(limited, answer => Assert.Contains(writes, e => e.Sequence > answer.Sequence && e.Path == answer.Path));
        }
    }
}

public sealed class RateLimitTestsOnSqlite() : RateLimitTests(StorageUnderTest.Sqlite);

[Collection(nameof(DeliveryOnPostgresCollection))]
public sealed class RateLimitTestsOnPostgres(PostgresFixture postgres) : RateLimitTests(StorageUnderTest.Postgres(postgres));
