using CohortSync.Contracts;
using CohortSync.Grains.Syncs;
using Microsoft.Extensions.Logging;

namespace CohortSync.Grains.Projects;

/// <summary>
/// A project's index of syncs as its grain keeps it: reads each sync's status, drops leftovers of starts that failed
/// half-way, configures new syncs. Writes go through <paramref name="write"/>, which the grain serialises.
/// </summary>
internal sealed class SyncIndex(string projectId, List<SyncIndexEntry> entries, IGrainFactory grains, Func<Task> write, ILogger logger)
{
    private const int ConfigureAttempts = 4;
    private readonly HashSet<string> _configuring = [];

    public bool Contains(string syncId) => entries.Any(e => e.SyncId == syncId);

    public IReadOnlyList<SyncIndexEntry> All => entries;

    public IEnumerable<SyncIndexEntry> OfDestination(string destinationId) => entries.Where(e => e.DestinationId == destinationId).ToList();

    /// <summary>The live syncs (not stopped) among <paramref name="candidates"/>.</summary>
    public async Task<List<SyncIndexEntry>> LiveAsync(IEnumerable<SyncIndexEntry> candidates)
    {
        var live = new List<SyncIndexEntry>();
        foreach (var entry in candidates.ToList())
        {
            var status = await StatusOrForgetAsync(entry);
            if (status is not null && status.State != SyncState.Stopped) live.Add(entry);
        }
        return live;
    }

    public async Task<IReadOnlyList<SyncInfo>> ListAsync()
    {
        var snapshot = entries.ToList();
        var syncs = await Task.WhenAll(snapshot.Select(StatusOrNullAsync));
        await ForgetAsync(snapshot.Where((_, i) => syncs[i] is null));
        return syncs.OfType<SyncInfo>().ToList();
    }

    /// <summary>
    /// Adds the sync and configures its grain. A new activation may be placed on a silo that died and is not
    /// declared dead yet; configuring is idempotent, so a call the cluster lost is made again a few times.
    /// </summary>
    public async Task<SyncInfo> AddAsync(SyncConfig config)
    {
        entries.Add(new SyncIndexEntry(config.SyncId, config.CohortId, config.DestinationId) { Cadence = config.Cadence, ReconcileEvery = config.ReconcileEvery });
        _configuring.Add(config.SyncId);
        try
        {
            await write();
            var sync = grains.GetGrain<ICohortSyncControl>(GrainKeys.Sync(projectId, config.SyncId));
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await sync.ConfigureAsync(config);
                }
                catch (Exception ex) when (ex is not CohortSyncException && attempt < ConfigureAttempts)
                {
                    logger.LogWarning("Project {ProjectId}: configuring sync {SyncId} failed ({Error}); trying again", projectId, config.SyncId, ex.GetType().Name);
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt));
                }
            }
        }
        finally
        {
            _configuring.Remove(config.SyncId);
        }
    }

    /// <summary>Null when the sync's grain was never configured: its <c>sync start</c> failed half-way (or is under way).</summary>
    private async Task<SyncInfo?> StatusOrNullAsync(SyncIndexEntry entry)
    {
        try
        {
            return await grains.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(projectId, entry.SyncId)).GetStatusAsync();
        }
        catch (CohortSyncException ex) when (ex.Code == ErrorCodes.UnknownSync)
        {
            return null;
        }
    }

    private async Task<SyncInfo?> StatusOrForgetAsync(SyncIndexEntry entry)
    {
        var status = await StatusOrNullAsync(entry);
        if (status is null) await ForgetAsync([entry]);
        return status;
    }

    /// <summary>Drops leftovers of failed starts, so they neither hide in lists nor block a new start of their cohort.</summary>
    private async Task ForgetAsync(IEnumerable<SyncIndexEntry> leftovers)
    {
        var removed = leftovers.Where(e => !_configuring.Contains(e.SyncId) && entries.Remove(e)).ToList();
        if (removed.Count == 0) return;
        logger.LogWarning("Project {ProjectId}: sync(s) {SyncIds} were never configured; dropped from the index", projectId, string.Join(", ", removed.Select(e => e.SyncId)));
        await write();
    }
}
