using CohortSync.Contracts;

namespace CohortSync.Grains.Syncs;

[GenerateSerializer, Alias("cs.CohortSyncState")]
public sealed class CohortSyncState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string ProjectId { get; set; } = "";
    [Id(2)] public string SyncId { get; set; } = "";
    [Id(3)] public string CohortId { get; set; } = "";
    [Id(4)] public string? CohortName { get; set; }
    [Id(5)] public string DestinationId { get; set; } = "";
    [Id(6)] public string Cadence { get; set; } = "once";
    [Id(7)] public SyncState State { get; set; }
    [Id(8)] public string? StateReason { get; set; }
    [Id(9)] public long? ListId { get; set; }
    [Id(10)] public string? ListName { get; set; }
    [Id(11)] public long SyncedCount { get; set; }
    [Id(12)] public DateTimeOffset? NextRunAt { get; set; }
    /// <summary>The run in progress as last checkpointed; still set after a crash, which is how the next activation knows.</summary>
    [Id(13)] public RunRecord? ActiveRun { get; set; }
    /// <summary>Finished runs, newest last, bounded.</summary>
    [Id(14)] public List<RunRecord> History { get; set; } = [];
    [Id(15)] public long RunCounter { get; set; }
    [Id(16)] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Paused by the engine because the destination's key was rejected; a new key resumes it.</summary>
    [Id(17)] public bool PausedByDestination { get; set; }

    public RunRecord? LastRun => History.Count > 0 ? History[^1] : null;

    public void Record(RunRecord run, int limit)
    {
        History.Add(run);
        if (History.Count > limit) History.RemoveRange(0, History.Count - limit);
    }
}
