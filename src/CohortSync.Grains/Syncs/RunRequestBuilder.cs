using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Grains.AmplitudeUsage;
using CohortSync.Grains.Destinations;
using CohortSync.Grains.IterableProjects;
using CohortSync.Grains.Projects;
using CohortSync.Grains.Runs;
using CohortSync.Grains.Secrets;
using CohortSync.Iterable.Hosting;
using CohortSync.Storage.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Syncs;

/// <summary>
/// Gathers what a run needs from the sync's project and destination, checks they still allow it, decrypts the keys
/// once (they exist in clear only inside the run's clients), and configures the Iterable project's grain for it.
/// </summary>
public sealed class RunRequestBuilder(
    IGrainFactory grains,
    SecretProtector secrets,
    IAmplitudeClientFactory amplitudeClients,
    IIterableClientFactory iterableClients,
    IWebhookStore webhooks,
    Storage.Uploads.IUploadStore uploads,
    ClusterRetry retry,
    CohortSyncMetrics metrics,
    IOptions<SyncEngineOptions> options,
    ILogger<RunRequestBuilder> logger)
{
    /// <summary>The pushed changes of the sync's cohort, or null for a sync that does not follow them.</summary>
    public IMemberChanges? ChangesOf(CohortSyncState sync, string userProperty) =>
        sync.Cadence.IsRealtime ? new WebhookMemberChanges(webhooks, sync.ProjectId, sync.CohortId, userProperty) : null;

    public async Task<RunRequest> BuildAsync(CohortSyncState sync, RunTally tally, CancellationToken ct, RunSource source = RunSource.Download)
    {
        var project = await retry.CallAsync(_ => grains.GetGrain<IProjectAccess>(sync.ProjectId).GetAmplitudeAccessAsync(), ct);
        if (!project.Enabled) throw RunFailure.Permanent($"project {sync.ProjectId} is disabled; enable it again with 'cohortsync project enable'");
        var destination = await retry.CallAsync(_ => grains.GetGrain<IDestinationAccess>(GrainKeys.Destination(sync.ProjectId, sync.DestinationId)).GetIterableAccessAsync(), ct);
        if (!destination.Exists) throw RunFailure.Permanent($"destination {sync.DestinationId} no longer exists; stop this sync");
        // The destination's own reason, so reporting it back changes nothing.
        if (destination.Health == DestinationHealth.Unhealthy)
            throw new RunFailure(FailureKind.KeyRejected, destination.HealthReason ?? RunFailures.KeyRejectedReason);

        var iterableKey = secrets.Unprotect(destination.KeyCipher);
        var iterableProject = grains.GetGrain<IIterableProjectGrain>(IterableProjectKey.For(destination.Url, iterableKey));
        var endpoint = new IterableEndpoint(destination.Url, destination.KeyCipher, destination.Rate);
        await retry.CallAsync(_ => iterableProject.ConfigureAsync(endpoint), ct);

        var amplitude = amplitudeClients.Create(new Uri(project.Url), secrets.Unprotect(project.KeyCipher), secrets.Unprotect(project.SecretCipher));
        var usage = grains.GetGrain<IAmplitudeUsageGrain>(project.UsageKey ?? sync.ProjectId);
        return new RunRequest(
            sync.Key,
            sync.ProjectId,
            sync.CohortId,
            sync.ListId,
            destination.UserProperty,
            new AmplitudeCohortSource(amplitude, usage, metrics, options.Value, logger),
            new GrainListDirectory(iterableProject, endpoint, retry),
            iterableClients.Create(new Uri(destination.Url), iterableKey, new BudgetRateGate(iterableProject, tally, options.Value, retry)),
            destination.Concurrency,
            sync.RemovalGuard,
            sync.ApprovedRemovals,
            ChangesOf(sync, destination.UserProperty),
            sync.ChangesCursor,
            source == RunSource.Webhook,
            sync.CohortName,
            source == RunSource.Upload && sync.Upload is { } up ? new UploadedMembers(uploads, sync.Key, up.UploadId, up.Members) : null,
            source == RunSource.Upload ? sync.Upload?.UploadId : null,
            sync.ActiveRun?.Stop,
            sync.ActiveRun?.RetryRefused ?? false,
            sync.ActiveRun?.StartedAt,
            Reconcile: sync.ReconcileNext && source != RunSource.Webhook,
            AdoptKeep: sync.Adopt == ListAdoption.Keep,
            ListName: sync.ListName,
            LeaveList: sync.ActiveRun?.LeftList)
        { AmplitudeUsageKey = project.UsageKey };
    }
}
