using CohortSync.Contracts;
using CohortSync.Grains.Delivery;

namespace CohortSync.Grains.Runs;

/// <summary>Everything one run needs. Holds decrypted keys: lives only in memory for the run's duration.</summary>
public sealed record RunRequest(
    string SyncKey,
    string DestinationKey,
    string CohortId,
    string? KnownCohortName,
    long? ListId,
    Uri AmplitudeUrl,
    string AmplitudeKey,
    string AmplitudeSecret,
    Uri IterableUrl,
    string IterableKey,
    string IterableKeyCipher,
    RateSettings Rate,
    string UserProperty)
{
    public override string ToString() => $"RunRequest({SyncKey}, cohort {CohortId}, list {ListId})";
}

/// <summary>What a finished run leaves behind for the sync's state.</summary>
public sealed record RunResult(string? CohortName, long? ListId, string? ListName, long SyncedCount, string? Note);

/// <summary>What <see cref="SyncRunner.PreviewAsync"/> found: the counts a run would start from, and samples of the difference.</summary>
public sealed record PreviewResult(
    string CohortName,
    long Synced,
    RunCounts Read,
    long HeldBack,
    long Adds,
    long Removes,
    IReadOnlyList<string> SampleAdds,
    IReadOnlyList<string> SampleRemoves);
