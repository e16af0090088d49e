using System.Diagnostics;
using System.Net;
using CohortSync.Contracts;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;
using CohortSync.Testing.Webhooks;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenario 8, realtime syncs (issue 10's figures), against Iterable at 150 ms: the time from a webhook batch to its
/// Iterable request; Iterable requests per 1,000 members changed as 100 batches of 10; and the silo's answer time to
/// batches of 1,000 members posted at a fixed rate (50 a second for 60 s by default) while a realtime sync applies them.
/// </summary>
public sealed class WebhookScenario(World world, HarnessOptions options, ResultTable table)
{
    private const string ProjectId = "bench-hooks";
    private const string AmplitudeKey = "bench-hooks-amplitude";

    public async Task RunAsync()
    {
        var destination = await world.EnableTenantAsync(ProjectId, AmplitudeKey);
        var project = world.Grains.GetGrain<IProjectGrain>(ProjectId);
        var token = (await project.IssueWebhookTokenAsync(true)).Token;
        using var poster = new WebhookPoster(world.Silos[0].HttpPort, ProjectId, token);
        world.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = 150 };

        await LatencyAsync(project, destination, poster);
        await CoalescingAsync(project, destination, poster);
        await IntakeAsync(project, destination, poster);
        world.Sandbox.Iterable.Faults = IterableFaults.None;
    }

    /// <summary>One member entering at a time: from the post to the subscribe that carries it.</summary>
    private async Task LatencyAsync(IProjectGrain project, string destination, WebhookPoster poster)
    {
        var (syncId, listId) = await StartAsync(project, destination, "latency");
        var samples = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var user = $"lat-{i:D4}";
            var mark = world.LastRequestSequence;
            var sent = DateTimeOffset.UtcNow;
            Check(await poster.EnterAsync("latency", user));
            var entry = await Wait.ForAsync(() => Task.FromResult(world.Sandbox.Requests.Since(mark)
                .FirstOrDefault(e => e.Path == "/api/lists/subscribe" && e.ListId == listId && e.UserIds?.Contains(user) == true)), $"{user} to be subscribed");
            samples.Add((entry.Time - sent).TotalMilliseconds);
        }
        samples.Sort();
        table.Add("8 webhook → Iterable", "time from a batch's 200 to its subscribe, p50 / p99 (40 batches of 1)",
            $"{Percentile(samples, 50):0} / {Percentile(samples, 99):0} ms", note: $"coalescing window 1 s, Iterable 150 ms, sync {syncId}");
    }

    /// <summary>100 batches of 10 members, as fast as one client posts them: how many Iterable requests carry them.</summary>
    private async Task CoalescingAsync(IProjectGrain project, string destination, WebhookPoster poster)
    {
        var (syncId, listId) = await StartAsync(project, destination, "burst");
        var mark = world.LastRequestSequence;
        var clock = Stopwatch.StartNew();
        for (var b = 0; b < 100; b++) Check(await poster.EnterAsync("burst", [.. Enumerable.Range(b * 10, 10).Select(i => $"burst-{i:D5}")]));
        var posted = clock.Elapsed;
        await Wait.UntilAsync(() => Task.FromResult(world.Sandbox.Iterable.GetListMembers(TenantProjects.IterableKeyOf(ProjectId), listId).Count == 1001),
            "the 1,000 members (and the seed) to reach the list", TimeSpan.FromMinutes(2));
        var requests = world.Sandbox.Requests.Since(mark).Count(e => e.Path == "/api/lists/subscribe" && e.ListId == listId);
        var runs = (await world.Sync(ProjectId, syncId).GetHistoryAsync(1000)).Count(r => r.Source == RunSource.Webhook);
        table.Add("8 webhook → Iterable", "Iterable requests for 1,000 members changed as 100 batches of 10", $"{requests} ({runs} runs)",
            target: "≤ 2", note: $"posted in {posted.TotalSeconds:0.0} s, list complete after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Batches of 1,000 posted at a fixed rate (open loop): the silo's answer time while the sync applies them.</summary>
    private async Task IntakeAsync(IProjectGrain project, string destination, WebhookPoster poster)
    {
        await StartAsync(project, destination, "intake");
        var (rate, seconds) = (options.WebhookRate, (int)options.WebhookDuration.TotalSeconds);
        var answers = new List<Task<double>>();
        var clock = Stopwatch.StartNew();
        var load = MachineFacts.LoadAverage();
        for (var b = 0; b < rate * seconds; b++)
        {
            var due = TimeSpan.FromSeconds((double)b / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var batch = WebhookPoster.Batch("intake", true, Enumerable.Range(b * 1000, 1000).Select(i => $"in-{i:D8}"), poster.Tick());
            answers.Add(TimeAsync(() => poster.PostAsync(batch)));
        }
        var times = (await Task.WhenAll(answers)).Order().ToList();
        var offered = clock.Elapsed;
        table.Add("8 webhook intake", $"answer time of a 1,000-member batch, p50 / p99 ({rate}/s for {seconds} s)",
            $"{Percentile(times, 50):0} / {Percentile(times, 99):0} ms", target: "≤ 1,000 ms", note: $"load {load}; all posted within {offered.TotalSeconds:0} s");
    }

    private async Task<(string SyncId, long ListId)> StartAsync(IProjectGrain project, string destination, string cohortId)
    {
        world.Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, $"Realtime {cohortId}", [new Sandbox.Amplitude.AmplitudeMember(1, "seed-0")]);
        var sync = await project.StartSyncAsync(new StartSyncRequest(cohortId, destination, Cadence.Realtime));
        await world.WaitForRunAsync(ProjectId, sync.SyncId, 1, TimeSpan.FromMinutes(2));
        var status = await world.Sync(ProjectId, sync.SyncId).GetStatusAsync();
        return (sync.SyncId, status.ListId!.Value);
    }

    private static async Task<double> TimeAsync(Func<Task<WebhookAnswer>> post)
    {
        var clock = Stopwatch.StartNew();
        Check(await post());
        return clock.Elapsed.TotalMilliseconds;
    }

    private static void Check(WebhookAnswer answer)
    {
        if (answer.Status != HttpStatusCode.OK) throw new InvalidOperationException($"the silo answered {(int)answer.Status}: {answer.Error}");
    }

    private static double Percentile(List<double> sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
