using CohortSync.Contracts;
using CohortSync.Grains.Destinations;
using CohortSync.Grains.Projects;
using CohortSync.Grains.Runs;
using CohortSync.Grains.Secrets;

namespace CohortSync.Grains.Syncs;

/// <summary>
/// Gathers what a run needs from the sync's project and destination, checks they still allow it, and decrypts
/// the keys (they exist in clear only inside the run).
/// </summary>
public sealed class RunRequestBuilder(IGrainFactory grains, SecretProtector secrets)
{
    public async Task<RunRequest> BuildAsync(CohortSyncState sync)
    {
        var project = await grains.GetGrain<IProjectAccess>(sync.ProjectId).GetAmplitudeAccessAsync();
        if (!project.Enabled) throw RunFailure.Permanent($"project {sync.ProjectId} is disabled");
        var destinationKey = GrainKeys.Destination(sync.ProjectId, sync.DestinationId);
        var destination = await grains.GetGrain<IDestinationAccess>(destinationKey).GetIterableAccessAsync();
        if (!destination.Exists) throw RunFailure.Permanent($"destination {sync.DestinationId} no longer exists");
        // The destination's own reason, so reporting it back changes nothing and pauses nothing twice.
        if (destination.Health == DestinationHealth.Unhealthy)
            throw new RunFailure(RunOutcome.Failed, destination.HealthReason ?? SyncRunner.KeyRejectedReason, keyRejected: true);
        return new RunRequest(
            sync.Key,
            destinationKey,
            sync.CohortId,
            sync.CohortName,
            sync.ListId,
            new Uri(project.Url),
            secrets.Unprotect(project.KeyCipher),
            secrets.Unprotect(project.SecretCipher),
            new Uri(destination.Url),
            secrets.Unprotect(destination.KeyCipher),
            destination.KeyCipher,
            destination.Rate,
            destination.UserProperty);
    }
}
