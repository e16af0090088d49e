using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Cluster.Tests.Harness;

/// <summary>
/// A silo, the syncs it hosts, and those of them whose runs are pushing with at most half their members sent: with
/// Iterable slowed down, such a run is still writing seconds later, when the test has done what it does to the silo.
/// </summary>
public sealed record RunsInFlight(SiloProcess Silo, IReadOnlyList<string> Hosted, IReadOnlyList<SyncInfo> Writing)
{
    /// <summary>A run that has sent something and has at least as much again to send.</summary>
    public static bool FarFromDone(RunRecord? run) =>
        run is { Phase: RunPhase.Pushing, Counts: { Requests: > 0 } counts }
        && (counts.Added + counts.Removed) * 2 <= counts.PlannedAdds + counts.PlannedRemoves;

    /// <summary>
    /// Waits until one silo hosts at least <paramref name="atLeast"/> syncs whose runs are far from done. Hosts are
    /// looked up once (activations do not move while every silo lives), so each poll reads statuses only and the
    /// runs it picks are as fresh as one round of status calls.
    /// </summary>
    public static async Task<RunsInFlight> FindAsync(World cluster, SyncFleet fleet, int atLeast)
    {
        var hosts = await Task.WhenAll(fleet.SyncIds.Select(async id =>
            (Id: id, Host: await Wait.ForAsync(() => cluster.HostOfAsync(id), $"sync {id} to have an activation"))));
        var bySilo = hosts.GroupBy(h => h.Host, h => h.Id).ToDictionary(g => g.Key, g => g.ToList());
        RunsInFlight? found = null;
        await Retry.UntilAsync($"a silo with {atLeast} runs far from done", TimeSpan.FromSeconds(90), async () =>
        {
            var candidates = await Task.WhenAll(bySilo.Select(async silo =>
            {
                var statuses = await Task.WhenAll(silo.Value.Select(cluster.StatusAsync));
                return new RunsInFlight(silo.Key, silo.Value, [.. statuses.Where(s => FarFromDone(s.ActiveRun))]);
            }));
            var best = candidates.MaxBy(c => c.Writing.Count)!;
            if (best.Writing.Count >= atLeast) found = best;
            return (found is not null, $"most such runs on one silo: {best.Writing.Count}");
        }, TimeSpan.FromMilliseconds(100));
        return found!;
    }
}
