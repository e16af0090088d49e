using CohortSync.Contracts;
using CohortSync.Testing;

namespace CohortSync.Cluster.Tests.Harness;

/// <summary>
/// Many small syncs, one cohort each, whose members change by version: v1 is the first cohort; each
/// later version drops a few members and adds more, so every run has removes and adds to send.
/// </summary>
public sealed class SyncFleet(World cluster, int count)
{
    private readonly Dictionary<int, string> _syncIds = [];

    public int Count { get; } = count;

    public IReadOnlyList<string> SyncIds => [.. _syncIds.OrderBy(p => p.Key).Select(p => p.Value)];

    public static string CohortId(int i) => $"coh-{i:D3}";

    /// <summary>Between 20 and 100 members in v1; v2 drops 10 and adds 30; v3 adds 2 more.</summary>
    public static IReadOnlyList<string> Members(int i, int version)
    {
        var size = 20 + i * 37 % 81;
        var (from, to) = version switch
        {
            1 => (0, size),
            2 => (10, size + 30),
            _ => (10, size + 32),
        };
        return [.. Enumerable.Range(from, to - from).Select(j => $"c{i:D3}-u{j:D3}")];
    }

    public void SetCohorts(int version)
    {
        for (var i = 0; i < Count; i++) cluster.SetCohort(CohortId(i), Members(i, version));
    }

    public async Task StartAsync(string destinationId, string cadence)
    {
        // The project grain takes one request at a time; a few in flight keep it busy without piling up timeouts.
        foreach (var chunk in Enumerable.Range(0, Count).Chunk(10))
        {
            var started = await Task.WhenAll(chunk.Select(async i => (i, await cluster.Project.StartSyncAsync(new StartSyncRequest(CohortId(i), destinationId, cadence)))));
            foreach (var (i, info) in started) _syncIds[i] = info.SyncId;
        }
    }

    public Task<SyncInfo[]> StatusesAsync() => Task.WhenAll(SyncIds.Select(cluster.StatusAsync));

    /// <summary>Every sync's kept runs (the engine keeps 50), oldest first.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<RunRecord>>> HistoriesAsync()
    {
        var histories = await Task.WhenAll(SyncIds.Select(async id =>
            (Id: id, Runs: await Retry.CallAsync(() => cluster.Sync(id).GetHistoryAsync(50)))));
        return histories.ToDictionary(h => h.Id, h => (IReadOnlyList<RunRecord>)[.. h.Runs.OrderBy(r => r.RunNumber)]);
    }

    /// <summary>Run reasons an operator could not read at a glance: longer than a couple of sentences, or carrying stack frames.</summary>
    public static IReadOnlyList<string> UnreadableReasons(IEnumerable<RunRecord> runs) =>
        [.. runs.Select(r => r.Reason).OfType<string>().Where(reason => reason.Length > 200 || reason.Contains(" at ", StringComparison.Ordinal)).Distinct()];

    public int IndexOf(string syncId) => _syncIds.Single(p => p.Value == syncId).Key;

    /// <summary>
    /// True when the sync's last finished run succeeded and its list holds exactly cohort <paramref name="version"/>.
    /// A run in progress does not count against it: with short cadences some of 200 syncs are always running, and a
    /// run of a cohort already delivered sends nothing.
    /// </summary>
    public bool IsExact(SyncInfo status, int version) =>
        status.LastRun is { Outcome: RunOutcome.Succeeded }
        && status.ListId is { } listId
        && cluster.ListMembers(listId).Order(StringComparer.Ordinal).SequenceEqual(Members(IndexOf(status.SyncId), version).Order(StringComparer.Ordinal));

    /// <summary>Waits until <paramref name="done"/> holds for every sync; the failure names how many did not get there and one example.</summary>
    public Task WaitForAllAsync(string what, TimeSpan timeout, Func<SyncInfo, bool> done) =>
        Retry.UntilAsync(what, timeout, async () =>
        {
            var statuses = await StatusesAsync();
            var behind = statuses.Where(s => !done(s)).ToList();
            return (behind.Count == 0, behind.Count == 0 ? "" : $"{behind.Count} of {Count} not there yet, e.g. {Describe(behind[0])}{cluster.CrashReport()}");
        }, TimeSpan.FromSeconds(1));

    public static string Describe(SyncInfo s) =>
        $"{s.SyncId}: state {s.State}, active run {s.ActiveRun?.RunNumber.ToString() ?? "none"} ({s.ActiveRun?.Phase}), "
        + $"last run {s.LastRun?.RunNumber} {s.LastRun?.Trigger} {s.LastRun?.Outcome} {s.LastRun?.Reason}, synced {s.SyncedCount}";
}
