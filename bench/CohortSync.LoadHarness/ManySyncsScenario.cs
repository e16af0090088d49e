using System.Diagnostics;
using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenario 4: many small syncs on one silo, all on the same cadence (the "hour", compressed by --period),
/// spread over the period by the hash of their ids. After every sync exists and has had its first run,
/// each cohort changes by 1% and the harness watches one full period: every sync must run once, finish
/// before its next slot, and no slice of 1/60 of the period may see more than twice the average starts.
/// </summary>
public sealed class ManySyncsScenario(World world, HarnessOptions options, ResultTable table)
{
    private const string Scenario = "4 many syncs";

    public async Task RunAsync()
    {
        var syncs = new List<(string ProjectId, string CohortId, string Destination, string AmplitudeKey)>();
        var projects = (options.Syncs + options.SyncsPerProject - 1) / options.SyncsPerProject;
        for (var p = 0; p < projects; p++)
        {
            var (projectId, amplitudeKey) = ($"many-{p}", $"many-{p}-amplitude");
            var destination = await world.EnableTenantAsync(projectId, amplitudeKey);
            for (var j = 0; j < options.SyncsPerProject && syncs.Count < options.Syncs; j++)
            {
                var cohortId = $"c{j}";
                world.Sandbox.Amplitude.PutGenerated(amplitudeKey, cohortId, $"Cohort {p}-{j}",
                    new GeneratedCohortSpec(options.MembersPerSync, Offset: (long)syncs.Count * options.MembersPerSync));
                syncs.Add((projectId, cohortId, destination, amplitudeKey));
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(3));
        var (idle, _) = MachineFacts.Memory(world.SiloProcessId());

        var cadence = options.Period.TotalMinutes >= 1 && options.Period.TotalMinutes % 1 == 0 ? $"{options.Period.TotalMinutes:0}m" : $"{options.Period.TotalSeconds:0}s";
        var clock = Stopwatch.StartNew();
        var mark = world.Sandbox.Requests.LastSequence;
        var ids = new string[syncs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, syncs.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var s = syncs[i];
            var info = await world.Grains.GetGrain<IProjectGrain>(s.ProjectId).StartSyncAsync(new StartSyncRequest(s.CohortId, s.Destination, cadence));
            ids[i] = info.SyncId;
        });
        var created = clock.Elapsed;
        await WaitForFirstPushesAsync(syncs.Count, mark, TimeSpan.FromHours(2));
        // The runs record after their last push; give them a moment, and the syncs whose next slot is far off time to leave memory.
        await Task.Delay(TimeSpan.FromSeconds(10));
        table.Add(Scenario, "setup", $"{syncs.Count:N0} syncs created in {created.TotalSeconds:0} s, first runs done after {clock.Elapsed.TotalSeconds:0} s",
            note: $"cadence {cadence} (the compressed hour), {options.MembersPerSync:N0} members each, {projects} projects");

        var (configured, _) = MachineFacts.Memory(world.SiloProcessId());
        var active = await SyncActivationsAsync();
        table.Add(Scenario, "silo memory per configured sync (RSS after setup − before)", $"{(configured - idle) / 1024.0 / syncs.Count:0.0} KB",
            target: "≤ 8 KB", note: $"{ResultTable.Mb(idle)} → {ResultTable.Mb(configured)}, {active:N0} of {syncs.Count:N0} sync activations in memory");
        if (options.GcDump is { } dumpPath)
        {
            // dotnet-gcdump induces a full blocking collection before it walks the heap: the RSS after it says how much
            // of the figure above was garbage not yet collected.
            await GcDump.CollectAsync(world.SiloProcessId(), dumpPath);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var (collected, _) = MachineFacts.Memory(world.SiloProcessId());
            table.Add(Scenario, "silo memory per configured sync after the gcdump's full GC", $"{(collected - idle) / 1024.0 / syncs.Count:0.0} KB",
                note: $"{ResultTable.Mb(idle)} → {ResultTable.Mb(collected)}; heap snapshot {dumpPath}");
        }
        if (options.SetupOnly) return;
        // Every first run recorded (status calls activate resting syncs again: only after the memory figures).
        await Parallel.ForEachAsync(Enumerable.Range(0, syncs.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            await world.WaitForRunAsync(syncs[i].ProjectId, ids[i], 1, TimeSpan.FromHours(2)));

        // 1% churn in every cohort: 0.5% out, 0.5% in.
        var each = Math.Max(1, options.MembersPerSync / 200);
        for (var i = 0; i < syncs.Count; i++)
        {
            var offset = (long)i * options.MembersPerSync;
            var removed = Enumerable.Range(0, each).Select(k => new IndexRange(offset + k * 200L + 7, offset + k * 200L + 8)).ToList();
            world.Sandbox.Amplitude.PutGenerated(syncs[i].AmplitudeKey, syncs[i].CohortId, $"Cohort {i}",
                new GeneratedCohortSpec(options.MembersPerSync, Offset: offset, Removed: removed, AddCount: each));
        }

        var windowStart = DateTimeOffset.UtcNow;
        MachineFacts.ResetPeak(world.SiloProcessId());
        var load = MachineFacts.LoadAverage();
        await Task.Delay(options.Period + TimeSpan.FromSeconds(30));
        var (_, peak) = MachineFacts.Memory(world.SiloProcessId());
        var windowEnd = windowStart + options.Period;

        var runs = new List<(RunRecord Run, DateTimeOffset Slot)>();
        var missing = 0;
        var gate = new Lock();
        await Parallel.ForEachAsync(Enumerable.Range(0, syncs.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var history = await world.Sync(syncs[i].ProjectId, ids[i]).GetHistoryAsync(20);
            var slot = CadenceSpread.NextSlotAfter(GrainKeys.Sync(syncs[i].ProjectId, ids[i]), options.Period, windowStart);
            var run = history.Where(r => r.Trigger == "cadence" && r.StartedAt >= windowStart && r.StartedAt < windowEnd + TimeSpan.FromSeconds(30))
                .OrderBy(r => r.StartedAt).FirstOrDefault();
            lock (gate)
            {
                if (run is null) missing++;
                else runs.Add((run, slot));
            }
        });

        var slices = new int[60];
        foreach (var (run, _) in runs)
        {
            var slice = (int)((run.StartedAt - windowStart) / options.Period * 60);
            slices[Math.Clamp(slice, 0, 59)]++;
        }
        var average = runs.Count / 60.0;
        var late = runs.Count(r => r.Run.FinishedAt is not { } f || f > r.Slot + options.Period);
        var failed = runs.Count(r => r.Run.Outcome != RunOutcome.Succeeded);
        var churned = runs.Count(r => r.Run.Counts.Added == each && r.Run.Counts.Removed == each);
        var lateness = runs.Select(r => (r.Run.StartedAt - r.Slot).TotalSeconds).Order().ToList();
        var durations = runs.Select(r => ((r.Run.FinishedAt ?? DateTimeOffset.MaxValue) - r.Run.StartedAt).TotalSeconds).Order().ToList();

        table.Add(Scenario, "cadence runs in one period", $"{runs.Count:N0} of {syncs.Count:N0} ({missing} missing, {failed} not succeeded, {churned:N0} with exactly +{each} −{each})", note: $"load {load}");
        table.Add(Scenario, "runs finished after their next slot", $"{late}", target: "0");
        table.Add(Scenario, "start delay after slot p50 / p99 / max", $"{Percentile(lateness, 0.5):0.0} / {Percentile(lateness, 0.99):0.0} / {lateness.LastOrDefault():0.0} s");
        table.Add(Scenario, "run duration p50 / p99 / max", $"{Percentile(durations, 0.5):0.00} / {Percentile(durations, 0.99):0.00} / {durations.LastOrDefault():0.00} s");
        table.Add(Scenario, "most starts in one 1/60 of the period vs average", $"{slices.Max()} vs {average:0.0} ({slices.Max() / Math.Max(average, 1):0.00}×)", target: "≤ 2×");
        table.Add(Scenario, "silo peak RSS during the period", ResultTable.Mb(peak));
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];

    /// <summary>
    /// Waits until every sync's first run has pushed its members, read from the Iterable stand-in's request log (one
    /// list each), not by asking the syncs: a status call would activate a sync that has left memory.
    /// </summary>
    private async Task WaitForFirstPushesAsync(int lists, long after, TimeSpan timeout)
    {
        var filled = new HashSet<(long?, long?)>();
        var seen = after;
        var clock = Stopwatch.StartNew();
        while (filled.Count < lists)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"only {filled.Count:N0} of {lists:N0} lists were filled within {timeout}");
            await Task.Delay(TimeSpan.FromSeconds(1));
            foreach (var e in world.Sandbox.Requests.Since(seen))
            {
                seen = Math.Max(seen, e.Sequence);
                if (e is { Method: "POST", Path: "/api/lists/subscribe", Status: 200 }) filled.Add((e.ProjectId, e.ListId));
            }
        }
    }

    private async Task<int> SyncActivationsAsync() =>
        (await world.Grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics())
            .Where(g => g.GrainType.Contains("CohortSyncGrain", StringComparison.Ordinal)).Sum(g => g.ActivationCount);
}
