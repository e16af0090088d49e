using CohortSync.Contracts;
using Orleans.Concurrency;

namespace CohortSync.Grains.Syncs;

/// <summary>Silo-internal side of a cohort sync, used by its project. It calls nothing back in these calls.</summary>
[Alias("cs.ICohortSyncControl")]
public interface ICohortSyncControl : IGrainWithStringKey
{
    /// <summary>Creates the sync and starts its first run at once.</summary>
    [Alias("Configure")] Task<SyncInfo> ConfigureAsync(SyncConfig config);

    /// <summary>The destination is healthy again: a sync paused for it resumes and runs; any other sync is left alone.</summary>
    [Alias("ResumeAfterDestinationFixed")] Task ResumeAfterDestinationFixedAsync();

    /// <summary>
    /// Amplitude pushed changes for the sync's cohort (stored before this call): a realtime sync applies them now, or
    /// right after the run it is in. Any other sync ignores it.
    /// </summary>
    [OneWay, Alias("ChangesArrived")] Task ChangesArrivedAsync();

    /// <summary>
    /// A committed member file becomes the desired set of the sync's next run (which starts now when <paramref name="run"/>
    /// is set); refused for a stopped sync.
    /// </summary>
    [Alias("UseUpload")] Task<SyncInfo> UseUploadAsync(string uploadId, long members, bool run);

    /// <summary>
    /// The drift audit read the list's size (<paramref name="size"/>) while the sync had <paramref name="syncedCount"/>
    /// members synced: recorded, and a drift beyond the tolerance starts a reconcile. Ignored if a run changed the synced set since.
    /// Called by the sync's own audit, off its grain turns.
    /// </summary>
    [OneWay, Alias("DriftAudited")] Task DriftAuditedAsync(long listId, long size, long syncedCount);

    /// <summary>The project's automatic reconciliation interval changed (realtime syncs on <c>auto</c>); any other sync ignores it.</summary>
    [OneWay, Alias("SetAutoReconcile")] Task SetAutoReconcileAsync(TimeSpan every);
}

[GenerateSerializer, Immutable, Alias("cs.SyncConfig")]
public sealed record SyncConfig(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string SyncId,
    [property: Id(2)] string CohortId,
    [property: Id(3)] string? CohortName,
    [property: Id(4)] string DestinationId,
    // Id 5 held the cadence as text before it was a type; not reused.
    [property: Id(6)] Cadence Cadence)
{
    /// <summary>The removal guard; null from a project grain older than the guard: the default.</summary>
    [Id(7)] public RemovalGuard? Guard { get; init; }

    /// <summary>A realtime sync's own reconciliation interval; null: <see cref="AutoReconcile"/>.</summary>
    [Id(8)] public TimeSpan? ReconcileEvery { get; init; }

    /// <summary>The project's automatic reconciliation interval when the sync started.</summary>
    [Id(9)] public TimeSpan? AutoReconcile { get; init; }

    /// <summary>The drift audit's period; null: the engine's default; zero: off.</summary>
    [Id(40)] public TimeSpan? DriftAudit { get; init; }

    /// <summary>What the first run does with a list of its name that already exists.</summary>
    [Id(41)] public ListAdoption Adopt { get; init; }
}
