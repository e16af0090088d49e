using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.Iterable;
using CohortSync.Testing;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenarios 1–3: one big cohort (2 M members by default) synced first in full, then with 1% churn
/// (0.5% out, spread evenly over the cohort, and as many in), then unchanged.
/// </summary>
public sealed class BigCohortScenarios(World world, HarnessOptions options, ResultTable table)
{
    private const string ProjectId = "bench-big";
    private const string AmplitudeKey = "bench-big-amplitude";
    private const string CohortId = "big";

    public async Task RunAsync()
    {
        var destination = await world.EnableTenantAsync(ProjectId, AmplitudeKey);
        world.Sandbox.Amplitude.PutGenerated(AmplitudeKey, CohortId, "Big cohort", new GeneratedCohortSpec(options.Members));
        await Task.Delay(TimeSpan.FromSeconds(3)); // let the silo settle after start-up before taking its idle size
        var (idle, _) = MachineFacts.Memory(world.SiloProcessId());
        table.Add("idle", "silo resident set", ResultTable.Mb(idle));
        world.Sandbox.Iterable.Faults = new IterableFaults { LatencyMs = options.IterableLatencyMs, LatencyJitterMs = options.IterableJitterMs };
        table.Add("setup", "Iterable latency per request / rate budget",
            $"{options.IterableLatencyMs} ms (+ up to {options.IterableJitterMs} ms) / {(options.DefaultRates ? "engine defaults, 20 → 100 requests/s" : "tests' lifted budget, 200 → 1,000 requests/s")}");

        var sync = await Measure("1 first run", options.Members, async () =>
        {
            var info = await world.Grains.GetGrain<IProjectGrain>(ProjectId).StartSyncAsync(new StartSyncRequest(CohortId, destination, "once"));
            return (info.SyncId, 1L);
        }, idle, expectedWrites: null);

        // 1% churn: every 200th member leaves, as many new ones join.
        var leave = options.Members / 200;
        var removed = Enumerable.Range(0, leave).Select(k => new IndexRange(k * 200L + 7, k * 200L + 8)).ToList();
        world.Sandbox.Amplitude.PutGenerated(AmplitudeKey, CohortId, "Big cohort",
            new GeneratedCohortSpec(options.Members, Removed: removed, AddCount: leave));
        await Measure("2 churn 1%", options.Members, () => RunNowAsync(sync), idle, expectedWrites: 2 * ((leave + 999) / 1000));

        await Measure("3 unchanged", options.Members, () => RunNowAsync(sync), idle, expectedWrites: 0);
    }

    private async Task<(string SyncId, long RunNumber)> RunNowAsync(string syncId)
    {
        var before = (await world.Sync(ProjectId, syncId).GetStatusAsync()).LastRun?.RunNumber ?? 0;
        await world.Sync(ProjectId, syncId).RunNowAsync();
        return (syncId, before + 1);
    }

    private async Task<string> Measure(string scenario, int members, Func<Task<(string SyncId, long RunNumber)>> start, long idle, int? expectedWrites)
    {
        var pid = world.SiloProcessId();
        MachineFacts.ResetPeak(pid);
        world.Sandbox.Iterable.ResetMostWritesInFlight();
        var mark = world.LastRequestSequence;
        var load = MachineFacts.LoadAverage();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (syncId, runNumber) = await start();
        var run = await world.WaitForRunAsync(ProjectId, syncId, runNumber, TimeSpan.FromMinutes(30));
        var wall = clock.Elapsed;
        var (_, peak) = MachineFacts.Memory(pid);
        var writes = world.MembershipWritesSince(mark);
        var mostInFlight = world.Sandbox.Iterable.MostWritesInFlight;
        var c = run.Counts;
        var status = await world.Sync(ProjectId, syncId).GetStatusAsync();
        var listSize = world.Sandbox.Iterable.GetListMembers(TenantProjects.IterableKeyOf(ProjectId), status.ListId!.Value).Count;

        var engine = (run.FinishedAt!.Value - run.StartedAt).TotalMilliseconds - c.AmplitudeWaitMs;
        table.Add(scenario, "outcome", $"{run.Outcome}, +{c.Added:N0} −{c.Removed:N0}, list holds {listSize:N0}", note: $"load {load}");
        table.Add(scenario, "wall time (harness)", $"{wall.TotalSeconds:0.00} s");
        table.Add(scenario, "engine time (run − Amplitude job wait)", $"{engine / 1000:0.00} s",
            target: scenario.StartsWith('2') ? "≤ 1.0 s" : scenario.StartsWith('3') ? "≤ 0.5 s" : options.IterableLatencyMs == 100 && options.DefaultRates ? "≤ 60 s" : "");
        table.Add(scenario, "phases read/diff/push/record", $"{c.ReadMs} / {c.DiffMs} / {c.PushMs} / {c.RecordMs} ms (Amplitude wait {c.AmplitudeWaitMs} ms)");
        table.Add(scenario, "Iterable write requests (most in flight at once)", $"{writes} ({mostInFlight})", target: expectedWrites is { } w ? $"= {w}" : "");
        if (c.Added + c.Removed > 0)
        {
            table.Add(scenario, "members pushed per second (engine time)", $"{(c.Added + c.Removed) / (engine / 1000):N0}",
                target: scenario.StartsWith('1') && options.IterableLatencyMs == 0 && !options.DefaultRates ? "≥ 400,000" : "");
        }
        table.Add(scenario, "silo peak RSS / above idle per member", $"{ResultTable.Mb(peak)} / {(peak - idle) / (double)members:0} B",
            target: "≤ 64 B");
        return syncId;
    }
}
