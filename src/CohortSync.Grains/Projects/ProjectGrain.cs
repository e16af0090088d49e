using CohortSync.Amplitude;
using CohortSync.Contracts;
using CohortSync.Core.Identity;
using CohortSync.Core.Scheduling;
using CohortSync.Grains.Delivery;
using CohortSync.Grains.Destinations;
using CohortSync.Grains.Secrets;
using CohortSync.Grains.Syncs;
using CohortSync.Iterable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Projects;

/// <summary>One Amplitude project: its credentials and the index of its destinations and syncs.</summary>
public sealed class ProjectGrain(
    [PersistentState("project", StorageNames.Main)] IPersistentState<ProjectState> state,
    SecretProtector secrets,
    IAmplitudeClientFactory amplitude,
    IOptions<SyncEngineOptions> options,
    TimeProvider clock,
    ILogger<ProjectGrain> logger) : Grain, IProjectGrain, IProjectAccess
{
    private string ProjectId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!GrainKeys.IsValidId(ProjectId))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{ProjectId}' is not a valid project id (1–64 letters, digits, '.', '_' or '-')");
        return Task.CompletedTask;
    }

    public async Task<ProjectInfo> EnableAsync(EnableProjectRequest request)
    {
        Require.NotBlank(request.AmplitudeApiKey, "the Amplitude API key");
        Require.NotBlank(request.AmplitudeSecretKey, "the Amplitude secret key");
        var url = Require.Endpoint(request.AmplitudeRegion, request.AmplitudeUrl, "us", AmplitudeRegions.Resolve);

        var s = state.State;
        s.Exists = true;
        s.Enabled = true;
        s.AmplitudeUrl = url.ToString().TrimEnd('/');
        s.AmplitudeKeyCipher = secrets.Protect(request.AmplitudeApiKey.Trim());
        s.AmplitudeSecretCipher = secrets.Protect(request.AmplitudeSecretKey.Trim());
        s.AmplitudeKeyHint = SecretProtector.Hint(request.AmplitudeApiKey.Trim());
        s.EnabledAt ??= DateTimeOffset.UtcNow;
        await state.WriteStateAsync();
        logger.LogInformation("Project {ProjectId} enabled against {AmplitudeUrl}", ProjectId, s.AmplitudeUrl);
        return await InfoAsync();
    }

    public async Task<ProjectInfo> DisableAsync()
    {
        RequireExists();
        state.State.Enabled = false;
        await state.WriteStateAsync();
        return await InfoAsync();
    }

    public Task<ProjectInfo> GetAsync()
    {
        RequireExists();
        return InfoAsync();
    }

    public async Task<DestinationInfo> AddDestinationAsync(AddDestinationRequest request)
    {
        RequireEnabled();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200) throw new CohortSyncException(ErrorCodes.InvalidArgument, "a destination needs a name of 1–200 characters");
        Require.NotBlank(request.IterableApiKey, "the Iterable API key");
        var property = string.IsNullOrWhiteSpace(request.UserProperty) ? IdentityRules.DefaultProperty : request.UserProperty;
        if (!IdentityRules.IsValidPropertyName(property))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{property}' is not a valid Amplitude user property name");
        var url = Require.Endpoint(request.IterableRegion, request.IterableUrl, "us", IterableRegions.ResolveBaseUrl);

        var destinationId = NewId("d");
        var key = request.IterableApiKey.Trim();
        var info = await GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(ProjectId, destinationId))
            .ConfigureAsync(new DestinationConfig(name, url.ToString().TrimEnd('/'), secrets.Protect(key), SecretProtector.Hint(key), property,
                Rates(request.RequestsPerSecond, request.MaxRequestsPerSecond)));
        state.State.Destinations.Add(destinationId);
        await state.WriteStateAsync();
        logger.LogInformation("Project {ProjectId}: destination {DestinationId} added", ProjectId, destinationId);
        return info;
    }

    public async Task<IReadOnlyList<DestinationInfo>> ListDestinationsAsync()
    {
        RequireExists();
        var all = await Task.WhenAll(state.State.Destinations.Select(id =>
            GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(ProjectId, id)).GetAsync()));
        return all.OfType<DestinationInfo>().ToList();
    }

    public async Task<DestinationInfo> GetDestinationAsync(string destinationId)
    {
        RequireDestination(destinationId);
        return await GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(ProjectId, destinationId)).GetAsync()
            ?? throw UnknownDestination(destinationId);
    }

    public async Task RemoveDestinationAsync(string destinationId)
    {
        RequireDestination(destinationId);
        var users = new List<string>();
        foreach (var entry in state.State.Syncs.Where(e => e.DestinationId == destinationId).ToList())
        {
            var sync = await StatusOrForgetAsync(entry);
            if (sync is not null && sync.State != SyncState.Stopped) users.Add(entry.SyncId);
        }
        if (users.Count > 0)
            throw new CohortSyncException(ErrorCodes.DestinationInUse,
                $"destination {destinationId} is used by sync(s) {string.Join(", ", users)}; stop them first (cohortsync sync stop)");
        await GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(ProjectId, destinationId)).RemoveAsync();
        state.State.Destinations.Remove(destinationId);
        await state.WriteStateAsync();
    }

    public async Task<DestinationInfo> UpdateDestinationAsync(string destinationId, UpdateDestinationRequest request)
    {
        RequireDestination(destinationId);
        Require.NotBlank(request.IterableApiKey, "the Iterable API key");
        var key = request.IterableApiKey.Trim();
        var info = await GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(ProjectId, destinationId))
            .UpdateKeyAsync(secrets.Protect(key), SecretProtector.Hint(key), Rates(request.RequestsPerSecond, request.MaxRequestsPerSecond));
        foreach (var entry in state.State.Syncs.Where(e => e.DestinationId == destinationId))
            await GrainFactory.GetGrain<ICohortSyncControl>(GrainKeys.Sync(ProjectId, entry.SyncId)).ResumeAfterDestinationFixedAsync();
        logger.LogInformation("Project {ProjectId}: destination {DestinationId} has a new key; its paused syncs resume", ProjectId, destinationId);
        return info;
    }

    public async Task PauseSyncsOfDestinationAsync(string destinationId, string reason)
    {
        foreach (var entry in state.State.Syncs.Where(e => e.DestinationId == destinationId))
        {
            try { await GrainFactory.GetGrain<ICohortSyncControl>(GrainKeys.Sync(ProjectId, entry.SyncId)).PauseForDestinationAsync(reason); }
            catch (Exception ex) { logger.LogWarning(ex, "Project {ProjectId}: could not pause sync {SyncId}; its next run will find the destination unhealthy", ProjectId, entry.SyncId); }
        }
    }

    public async Task<SyncInfo> StartSyncAsync(StartSyncRequest request)
    {
        RequireEnabled();
        RequireDestination(request.DestinationId);
        var cohortId = request.CohortId?.Trim() ?? "";
        if (cohortId.Length is 0 or > 64 || cohortId.Any(char.IsControl) || cohortId.Contains('/'))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{request.CohortId}' is not a valid cohort id");
        if (!Cadence.TryParse(request.Cadence, options.Value.MinimumCadence, out var cadence, out var error))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, error);

        foreach (var existing in state.State.Syncs.Where(e => e.CohortId == cohortId && e.DestinationId == request.DestinationId).ToList())
        {
            var status = await StatusOrForgetAsync(existing);
            if (status is not null && status.State != SyncState.Stopped)
                throw new CohortSyncException(ErrorCodes.DuplicateSync,
                    $"cohort {cohortId} already syncs to destination {request.DestinationId} as {existing.SyncId}; stop it first or change its cadence");
        }

        var cohortName = await LookUpCohortNameAsync(cohortId);
        var syncId = NewId("s");
        state.State.Syncs.Add(new SyncIndexEntry(syncId, cohortId, request.DestinationId));
        await state.WriteStateAsync();
        var started = await ConfigureAsync(new SyncConfig(ProjectId, syncId, cohortId, cohortName, request.DestinationId, cadence.ToString()));
        if (started.Warning is not null) return started;
        // The cadence fits on its own; with the project's pace so far it may not.
        var downloads = await DownloadsAsync();
        var withThisSync = (int)Math.Min(int.MaxValue, (long)downloads.Projected + DownloadQuota.PerMonth(cadence));
        return started with { Warning = DownloadQuota.ProjectWarning(ProjectId, withThisSync, downloads.Quota) };
    }

    public async Task<IReadOnlyList<SyncInfo>> ListSyncsAsync()
    {
        RequireExists();
        var entries = state.State.Syncs.ToList();
        var syncs = await Task.WhenAll(entries.Select(StatusOrNullAsync));
        await ForgetAsync(entries.Where((_, i) => syncs[i] is null));
        return syncs.OfType<SyncInfo>().ToList();
    }

    /// <summary>
    /// Configures a new sync's grain. A new activation may be placed on a silo that died and is not declared dead
    /// yet; configuring is idempotent, so a call the cluster lost is made again (a new placement) a few times.
    /// </summary>
    private async Task<SyncInfo> ConfigureAsync(SyncConfig config)
    {
        var sync = GrainFactory.GetGrain<ICohortSyncControl>(GrainKeys.Sync(ProjectId, config.SyncId));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await sync.ConfigureAsync(config);
            }
            catch (Exception ex) when (ex is not CohortSyncException && attempt < ConfigureAttempts)
            {
                logger.LogWarning("Project {ProjectId}: configuring sync {SyncId} failed ({Error}); trying again", ProjectId, config.SyncId, ex.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt));
            }
        }
    }

    private const int ConfigureAttempts = 4;

    /// <summary>A sync's status, and the entry dropped from the index when its grain was never configured.</summary>
    private async Task<SyncInfo?> StatusOrForgetAsync(SyncIndexEntry entry)
    {
        var status = await StatusOrNullAsync(entry);
        if (status is null) await ForgetAsync([entry]);
        return status;
    }

    /// <summary>Null when the sync's grain was never configured: its <c>sync start</c> failed half-way.</summary>
    private async Task<SyncInfo?> StatusOrNullAsync(SyncIndexEntry entry)
    {
        try
        {
            return await GrainFactory.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(ProjectId, entry.SyncId)).GetStatusAsync();
        }
        catch (CohortSyncException ex) when (ex.Code == ErrorCodes.UnknownSync)
        {
            return null;
        }
    }

    /// <summary>Drops leftovers of failed starts, so they neither hide in lists nor block a new start of their cohort.</summary>
    private async Task ForgetAsync(IEnumerable<SyncIndexEntry> leftovers)
    {
        var removed = leftovers.Where(state.State.Syncs.Remove).ToList();
        if (removed.Count == 0) return;
        logger.LogWarning("Project {ProjectId}: sync(s) {SyncIds} were never configured; dropped from the index", ProjectId, string.Join(", ", removed.Select(e => e.SyncId)));
        await state.WriteStateAsync();
    }

    public async Task<SyncInfo> GetSyncAsync(string syncId)
    {
        RequireExists();
        if (!state.State.Syncs.Any(e => e.SyncId == syncId))
            throw new CohortSyncException(ErrorCodes.UnknownSync, $"project {ProjectId} has no sync '{syncId}'");
        return await GrainFactory.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(ProjectId, syncId)).GetStatusAsync();
    }

    public Task<AmplitudeAccess> GetAmplitudeAccessAsync()
    {
        var s = state.State;
        return Task.FromResult(new AmplitudeAccess(s.Exists && s.Enabled, s.AmplitudeUrl, s.AmplitudeKeyCipher, s.AmplitudeSecretCipher));
    }

    /// <summary>
    /// Checks the cohort exists before a sync is created (the cohort list costs no download quota).
    /// A wrong key or an unknown cohort is refused; an unreachable Amplitude is not, since the run will retry.
    /// </summary>
    private async Task<string?> LookUpCohortNameAsync(string cohortId)
    {
        var s = state.State;
        var client = amplitude.Create(new Uri(s.AmplitudeUrl), secrets.Unprotect(s.AmplitudeKeyCipher), secrets.Unprotect(s.AmplitudeSecretCipher));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var cohort = await client.FindCohortAsync(cohortId, timeout.Token)
                ?? throw new CohortSyncException(ErrorCodes.UnknownCohort, $"Amplitude project {ProjectId} has no cohort '{cohortId}'");
            return cohort.Name;
        }
        catch (AmplitudeAuthException)
        {
            throw new CohortSyncException(ErrorCodes.InvalidArgument,
                $"Amplitude rejected project {ProjectId}'s API key / secret key; run 'cohortsync project enable {ProjectId}' with the right ones");
        }
        catch (Exception ex) when (ex is not CohortSyncException)
        {
            logger.LogWarning("Project {ProjectId}: could not check cohort {CohortId} ({Error}); the run will", ProjectId, cohortId, ex.GetType().Name);
            return null;
        }
    }

    private static RateSettings? Rates(double? start, double? max)
    {
        if (start is null && max is null) return null;
        if (start is <= 0 || max is <= 0 || (start > max))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, "request rates must be positive, and the starting rate at most the ceiling");
        return new RateSettings(start, max);
    }

    private async Task<ProjectInfo> InfoAsync()
    {
        var s = state.State;
        return new ProjectInfo(ProjectId, s.Enabled, s.AmplitudeUrl, s.AmplitudeKeyHint, s.Destinations.Count, s.Syncs.Count, s.EnabledAt,
            await DownloadsAsync());
    }

    private async Task<AmplitudeDownloads> DownloadsAsync()
    {
        var count = await GrainFactory.GetGrain<IAmplitudeUsageGrain>(ProjectId).GetThisMonthAsync();
        var quota = options.Value.AmplitudeMonthlyDownloadQuota;
        var projected = DownloadQuota.Projected(count.Used, clock.GetUtcNow());
        return new AmplitudeDownloads(count.Month, count.Used, projected, quota, DownloadQuota.ProjectWarning(ProjectId, projected, quota));
    }

    private void RequireExists()
    {
        if (!state.State.Exists)
            throw new CohortSyncException(ErrorCodes.UnknownProject, $"project {ProjectId} is not enabled (run 'cohortsync project enable {ProjectId}')");
    }

    private void RequireEnabled()
    {
        RequireExists();
        if (!state.State.Enabled)
            throw new CohortSyncException(ErrorCodes.ProjectDisabled, $"project {ProjectId} is disabled (run 'cohortsync project enable {ProjectId}')");
    }

    private void RequireDestination(string destinationId)
    {
        RequireExists();
        if (!state.State.Destinations.Contains(destinationId)) throw UnknownDestination(destinationId);
    }

    private CohortSyncException UnknownDestination(string destinationId) =>
        new(ErrorCodes.UnknownDestination, $"project {ProjectId} has no destination '{destinationId}'");

    private static string NewId(string prefix) => $"{prefix}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
}
