using System.Diagnostics;
using CohortSync.Contracts;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;

namespace CohortSync.LoadHarness;

/// <summary>
/// Scenario 10: reconcile of a list of <see cref="HarnessOptions.Members"/> members (2 M by default). The list
/// <c>[Amplitude] Reconciled</c> exists before the sync, made by hand: the cohort without every 200th member, plus as
/// many members who are not in it. The sync's first run finds it, streams its membership (getUsers), diffs the cohort
/// against it and sends the difference: time, the silo's peak memory above idle per member, and the requests.
/// </summary>
public sealed class ReconcileScenario(World world, HarnessOptions options, ResultTable table)
{
    private const string ProjectId = "bench-reconcile";
    private const string AmplitudeKey = "bench-reconcile-amplitude";

    public async Task RunAsync()
    {
        var members = options.Members;
        var destination = await world.EnableTenantAsync(ProjectId, AmplitudeKey);
        world.Sandbox.Amplitude.PutGenerated(AmplitudeKey, "rec", "Reconciled", new GeneratedCohortSpec(members));
        var key = TenantProjects.IterableKeyOf(ProjectId);
        var listId = world.Sandbox.Iterable.CreateList(key, "[Amplitude] Reconciled");
        var drift = members / 200;
        world.Sandbox.Iterable.AddListMembers(key, listId, Enumerable.Range(0, members).Where(i => i % 200 != 7).Select(i => $"user-{i}"));
        world.Sandbox.Iterable.AddListMembers(key, listId, Enumerable.Range(0, drift).Select(i => $"foreign-{i}"));
        await Task.Delay(TimeSpan.FromSeconds(3)); // let the silo settle before taking its idle size
        var pid = world.SiloProcessId();
        var (idle, _) = MachineFacts.Memory(pid);
        MachineFacts.ResetPeak(pid);
        var mark = world.LastRequestSequence;
        var load = MachineFacts.LoadAverage();

        var clock = Stopwatch.StartNew();
        var sync = await world.Grains.GetGrain<IProjectGrain>(ProjectId).StartSyncAsync(new StartSyncRequest("rec", destination, "daily"));
        var run = await world.WaitForRunAsync(ProjectId, sync.SyncId, 1, TimeSpan.FromMinutes(30));
        var wall = clock.Elapsed;
        var (_, peak) = MachineFacts.Memory(pid);

        var requests = world.Sandbox.Requests.Since(mark).Where(e => e.Path.StartsWith("/api/lists", StringComparison.Ordinal)).ToList();
        var getUsers = requests.Where(e => e.Path == "/api/lists/getUsers").ToList();
        var listed = world.Sandbox.Iterable.GetListMembers(key, listId).Count;
        var c = run.Counts;
        table.Add("10 reconcile", "outcome", $"{run.Outcome}, extra {c.Extra:N0}, missing {c.Missing:N0}, +{c.Added:N0} −{c.Removed:N0}, list holds {listed:N0}",
            note: $"load {load}");
        table.Add("10 reconcile", "wall time (harness) / engine time (read / diff / push / record)",
            $"{wall.TotalSeconds:0.0} s / {(run.FinishedAt!.Value - run.StartedAt).TotalSeconds - c.AmplitudeWaitMs / 1000.0:0.0} s ({c.ReadMs} / {c.DiffMs} / {c.PushMs} / {c.RecordMs} ms)");
        table.Add("10 reconcile", "getUsers answer", $"{getUsers.Count} request(s), {getUsers.Sum(e => e.DurationMs):0} ms in the sandbox");
        table.Add("10 reconcile", "Iterable requests (lists, getUsers, writes)", $"{requests.Count} ({requests.Count(World.IsMembershipWrite)} writes)",
            target: $"= {2 + 2 * ((drift + 999) / 1000)} (lists, getUsers, writes)");
        table.Add("10 reconcile", "silo peak RSS / above idle per member", $"{ResultTable.Mb(peak)} / {(peak - idle) / (double)members:0} B", target: "≤ 150 B");
    }
}
