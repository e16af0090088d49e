using System.Net;
using CohortSync.Contracts;
using CohortSync.Testing;
using CohortSync.Testing.Webhooks;

namespace CohortSync.Cluster.Tests;

/// <summary>
/// Three silo processes on PostgreSQL receive one realtime sync's webhook batches on whichever silo Amplitude reaches:
/// each member is subscribed exactly once, and a silo SIGKILLed right after answering 200 loses no batch.
/// </summary>
[Collection(PostgresFixture.Collection)]
[Trait("Speed", "Slow")]
public sealed class WebhookClusterTests(PostgresFixture postgres)
{
    private const string Cohort = "coh-hook";

    [Fact]
    public async Task Batches_sent_to_any_silo_and_resent_to_another_are_applied_exactly_once()
    {
        await using var cluster = await World.StartClusterAsync(postgres, silos: 3);
        var (sync, token) = await StartRealtimeAsync(cluster);
        var posters = cluster.Silos.Select(silo => new WebhookPoster(silo.HttpPort, World.ProjectId, token)).ToList();
        var mark = cluster.LastRequestSequence;
        var expected = World.Users(0, 5).ToList();

        var answers = new List<WebhookAnswer>();
        var duplicates = new List<WebhookAnswer>();
        for (var b = 0; b < 30; b++)
        {
            var members = World.Users(100 + b * 10, 10, "pushed");
            var batch = WebhookPoster.Batch(Cohort, true, members, posters[0].Tick(), $"batch-{b}::enter::0");
            answers.Add(await posters[b % 3].PostAsync(batch));
            // Amplitude's retry after a lost answer, to another silo behind the load balancer.
            if (b % 4 == 0) duplicates.Add(await posters[(b + 1) % 3].PostAsync(batch));
            expected.AddRange(members);
        }

        await WaitForListAsync(cluster, sync, expected, TimeSpan.FromMinutes(3));
        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, false, 10), (a.Status, a.Duplicate, a.Applied)));
        Assert.All(duplicates, a => Assert.Equal((HttpStatusCode.OK, true, 0), (a.Status, a.Duplicate, a.Applied)));
        var subscribed = cluster.IterableWritesSince(mark).Where(e => e.Path == "/api/lists/subscribe" && e.Status == 200)
            .SelectMany(e => e.UserIds ?? []).ToList();
        Assert.Equal(300, subscribed.Count);
        Assert.Equal(300, subscribed.Distinct().Count());
        Assert.Equal(1, (await cluster.Project.GetAsync()).Downloads!.Used);
        foreach (var poster in posters) poster.Dispose();
    }

    [Fact]
    public async Task A_silo_killed_right_after_answering_200_loses_no_batch()
    {
        // Daily reconciliation (auto), as in production: only the stored batch can bring its members in within minutes.
        await using var cluster = await World.StartClusterAsync(postgres, silos: 3, "--CohortSync:Engine:GuardPeriod=00:00:10");
        var (sync, token) = await StartRealtimeAsync(cluster);
        var victim = cluster.Silos[0];
        using var poster = new WebhookPoster(victim.HttpPort, World.ProjectId, token);
        var members = World.Users(0, 50, "late");

        var answer = await poster.PostAsync(WebhookPoster.Batch(Cohort, true, members, poster.Tick()));
        victim.Kill();

        Assert.Equal((HttpStatusCode.OK, 50), (answer.Status, answer.Applied));
        // The one-minute sweep on a survivor applies it even if the notice died with the silo.
        await WaitForListAsync(cluster, sync, [.. World.Users(0, 5), .. members], TimeSpan.FromMinutes(4));
        Assert.Equal("", cluster.CrashReport());
    }

    private static async Task<(string Sync, string Token)> StartRealtimeAsync(World cluster)
    {
        cluster.SetCohort(Cohort, "Pushed", World.Users(0, 5));
        var destination = await Retry.CallAsync(() => cluster.EnableWithDestinationAsync());
        var token = (await cluster.Project.IssueWebhookTokenAsync(false)).Token;
        var sync = await cluster.StartSyncIdAsync(Cohort, destination, "realtime");
        Assert.Equal(RunOutcome.Succeeded, (await cluster.WaitForRunAsync(sync, 1)).Outcome);
        return (sync, token);
    }

    private static Task WaitForListAsync(World cluster, string sync, IEnumerable<string> expected, TimeSpan timeout)
    {
        var want = expected.Order(StringComparer.Ordinal).ToList();
        return Wait.UntilAsync(async () =>
        {
            var status = await cluster.StatusAsync(sync);
            return status.ActiveRun is null && status.ListId is { } list
                && cluster.ListMembers(list).Order(StringComparer.Ordinal).SequenceEqual(want);
        }, $"the list of {sync} to hold {want.Count} members", timeout);
    }
}
