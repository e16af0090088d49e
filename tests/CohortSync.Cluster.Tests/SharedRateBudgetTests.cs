using CohortSync.Cluster.Tests.Harness;
using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;
using Xunit.Abstractions;

namespace CohortSync.Cluster.Tests;

/// <summary>One Iterable project's rate budget is shared by every sync that writes to it, whichever silo runs them.</summary>
[Collection(PostgresFixture.Collection)]
[Trait("Speed", "Slow")]
public sealed class SharedRateBudgetTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const double Limit = 20; // requests per second that the sandbox lets through for the Iterable project

    [Fact]
    public async Task Twenty_syncs_on_two_silos_adapt_to_the_projects_rate_limit_and_none_fails()
    {
        // Small batches make many writes; the engine starts far above the limit (EngineTestSettings) and must come down.
        await using var cluster = await World.StartClusterAsync(postgres, silos: 2, "--CohortSync:Engine:BatchSize=10");
        cluster.Sandbox.Iterable.Faults = new IterableFaults { RequestsPerSecondPerProject = Limit };
        var destination = await cluster.EnableProjectAsync();
        var fleet = new SyncFleet(cluster, 20);
        fleet.SetCohorts(1);
        var mark = cluster.Sandbox.Requests.LastSequence;

        await fleet.StartAsync(destination, cadence: "once");
        // Where the runs run, asked while they do: a one-time sync leaves memory once its run is over.
        var hosts = (await Task.WhenAll(fleet.SyncIds.Select(cluster.HostOfAsync))).Where(h => h is not null).Distinct().Count();
        SyncInfo[] finished = [];
        await Retry.UntilAsync("every sync's first run to finish", TimeSpan.FromMinutes(6), async () =>
        {
            finished = await fleet.StatusesAsync();
            var done = finished.Count(s => s.ActiveRun is null && s.LastRun is not null);
            return (done == fleet.Count, $"{done} of {fleet.Count} finished");
        });

        Assert.True(hosts == 2, $"the syncs ran on {hosts} silo(s); the test needs both");
        Assert.All(finished, s => Assert.Equal(RunOutcome.Succeeded, s.LastRun!.Outcome));
        for (var i = 0; i < fleet.Count; i++)
        {
            var status = finished.Single(s => s.CohortId == SyncFleet.CohortId(i));
            Assert.Equal(SyncFleet.Members(i, 1).Order(StringComparer.Ordinal), cluster.ListMembers(status.ListId!.Value).Order(StringComparer.Ordinal));
        }

        // What the engine sent once it had adapted (the last two thirds of the work), counted rather than timed: the
        // sandbox lets at most Limit a second through (plus one second's burst), so a share r of 429 answers means
        // the engine sent at no more than Limit / (1 - r). At most a fifth refused: within 1.25 × Limit.
        var sent = cluster.Sandbox.Requests.Since(mark).Where(e => e.Path.StartsWith("/api/lists", StringComparison.Ordinal)).OrderBy(e => e.Sequence).ToList();
        Assert.Contains(sent, e => e.Status == 429); // it started above the limit and was told so
        var steady = sent.Skip(sent.Count / 3).ToList();
        var refused = steady.Count(e => e.Status == 429);
        output.WriteLine($"after adapting: {refused} of {steady.Count} requests refused with 429");
        Assert.True(refused * 5 <= steady.Count, $"after adapting, {refused} of {steady.Count} requests were refused with 429 (limit {Limit}/s)");
        Assert.Equal("", cluster.CrashReport());
    }
}
