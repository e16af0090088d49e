using CohortSync.Contracts;
using CohortSync.Core.Scheduling;
using CohortSync.Grains.AmplitudeUsage;
using CohortSync.Grains.Destinations;
using CohortSync.Grains.Organisations;
using CohortSync.Grains.Runs;
using CohortSync.Grains.Secrets;
using CohortSync.Grains.Syncs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CohortSync.Grains.Projects;

/// <summary>
/// One Amplitude project: its credentials and the index of its destinations and syncs. Destination work is the
/// destination's; the one slow outside call (the cohort check of <c>sync start</c>) runs in an interleaving turn, so
/// <c>project show</c> and <c>destination list</c> never wait for Amplitude.
/// </summary>
public sealed class ProjectGrain(
    [PersistentState("project", StorageNames.Main)] IPersistentState<ProjectState> state,
    SecretProtector secrets,
    CohortLookup cohorts,
    IOptions<SyncEngineOptions> options,
    TimeProvider clock,
    ILogger<ProjectGrain> logger) : Grain, IProjectGrain, IProjectAccess
{
    private readonly SerialStateWriter<ProjectState> _writes = new(state);
    // Starts (and removals, which must see them) go one at a time among themselves; reads go on meanwhile.
    private readonly SemaphoreSlim _starts = new(1, 1);
    private SyncIndex _syncs = null!;

    private string ProjectId => this.GetPrimaryKeyString();
    private ProjectState Project => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!GrainKeys.IsValidId(ProjectId))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, $"'{ProjectId}' is not a valid project id (1–64 letters, digits, '.', '_' or '-')");
        _syncs = new SyncIndex(ProjectId, Project.Syncs, GrainFactory, WriteAsync, logger);
        return Task.CompletedTask;
    }

    public async Task<ProjectInfo> EnableAsync(EnableProjectRequest request)
    {
        var before = Project.Organisation;
        Project.Enable(request, secrets, clock.GetUtcNow());
        await WriteAsync();
        logger.LogInformation("Project {ProjectId} enabled against {AmplitudeUrl}", ProjectId, Project.AmplitudeUrl);
        if (before != Project.Organisation)
        {
            // Counts made so far stay where they were; from now on the new organisation's quota counts and paces the project.
            if (before is not null) await GrainFactory.GetGrain<IOrganisationGrain>(before).LeaveAsync(ProjectId);
            logger.LogInformation("Project {ProjectId}: organisation {Organisation}", ProjectId, Project.Organisation ?? "(its own)");
            var others = await ReportLoadAsync();
            TellAutoReconcile(AutoReconcile(others), except: "");
        }
        else if (Project.Organisation is not null) await ReportLoadAsync();
        return await InfoAsync();
    }

    public async Task<ProjectInfo> DisableAsync()
    {
        RequireExists();
        Project.Enabled = false;
        await WriteAsync();
        return await InfoAsync();
    }

    public Task<ProjectInfo> GetAsync()
    {
        RequireExists();
        return InfoAsync();
    }

    public async Task<DestinationInfo> AddDestinationAsync(AddDestinationRequest request, CancellationToken cancellationToken)
    {
        RequireEnabled();
        var destinationId = NewId("d");
        var info = await Destination(destinationId).CreateAsync(request, cancellationToken);
        Project.Destinations.Add(destinationId);
        await WriteAsync();
        logger.LogInformation("Project {ProjectId}: destination {DestinationId} added", ProjectId, destinationId);
        return info;
    }

    public async Task<IReadOnlyList<DestinationInfo>> ListDestinationsAsync()
    {
        RequireExists();
        var all = await Task.WhenAll(Project.Destinations.ToList().Select(id => Destination(id).GetAsync()));
        return all.OfType<DestinationInfo>().ToList();
    }

    public async Task<DestinationInfo> GetDestinationAsync(string destinationId)
    {
        RequireDestination(destinationId);
        return await Destination(destinationId).GetAsync() ?? throw ProjectState.UnknownDestination(ProjectId, destinationId);
    }

    public async Task RemoveDestinationAsync(string destinationId)
    {
        RequireDestination(destinationId);
        await _starts.WaitAsync();
        try
        {
            var users = await _syncs.LiveAsync(_syncs.OfDestination(destinationId));
            if (users.Count > 0)
                throw new CohortSyncException(ErrorCodes.DestinationInUse,
                    $"destination {destinationId} is used by sync(s) {string.Join(", ", users.Select(u => u.SyncId))}; stop them first (cohortsync sync stop)");
            await Destination(destinationId).RemoveAsync();
            Project.Destinations.Remove(destinationId);
            await WriteAsync();
        }
        finally { _starts.Release(); }
    }

    public async Task<DestinationInfo> UpdateDestinationAsync(string destinationId, UpdateDestinationRequest request, CancellationToken cancellationToken)
    {
        RequireDestination(destinationId);
        var info = await Destination(destinationId).UpdateKeyAsync(request, cancellationToken);
        // The one fan-out left: syncs paused for the old key resume now rather than at their next tick.
        foreach (var entry in _syncs.OfDestination(destinationId))
            await GrainFactory.GetGrain<ICohortSyncControl>(GrainKeys.Sync(ProjectId, entry.SyncId)).ResumeAfterDestinationFixedAsync();
        logger.LogInformation("Project {ProjectId}: destination {DestinationId} has a new key; its paused syncs resume", ProjectId, destinationId);
        return info;
    }

    public async Task<SyncInfo> StartSyncAsync(StartSyncRequest request, CancellationToken cancellationToken)
    {
        RequireEnabled();
        RequireDestination(request.DestinationId);
        var cohortId = Require.CohortId(request.CohortId);
        if (!request.TryGetCadence(out var cadence, out var error))
            throw new CohortSyncException(ErrorCodes.InvalidArgument, error);
        if (options.Value.RefusedCadence(cadence) is { } tooShort)
            throw new CohortSyncException(ErrorCodes.InvalidArgument, tooShort);

        await _starts.WaitAsync(cancellationToken);
        try
        {
            var same = await _syncs.LiveAsync(Project.Syncs.Where(e => e.CohortId == cohortId && e.DestinationId == request.DestinationId));
            if (same.Count > 0)
                throw new CohortSyncException(ErrorCodes.DuplicateSync,
                    $"cohort {cohortId} already syncs to destination {request.DestinationId} as {same[0].SyncId}; stop it first or change its cadence");

            var cohortName = await cohorts.FindNameAsync(ProjectId, Access(), cohortId, cancellationToken);
            // Amplitude may have taken a while: the project or the destination may have changed meanwhile.
            RequireEnabled();
            RequireDestination(request.DestinationId);
            var reconcileEvery = cadence.IsRealtime ? request.ReconcileEvery : null;
            var onAuto = cadence.IsRealtime && reconcileEvery is null;
            var others = await OthersAsync();
            var auto = AutoReconcile(others, extraOnAuto: onAuto ? 1 : 0, extraFixed: onAuto ? 0 : DownloadsPerMonth(cadence, reconcileEvery));
            var started = await _syncs.AddAsync(new SyncConfig(ProjectId, NewId("s"), cohortId, cohortName, request.DestinationId, cadence)
            {
                Guard = request.Guard ?? RemovalGuard.Default,
                ReconcileEvery = reconcileEvery,
                AutoReconcile = auto,
                DriftAudit = request.DriftAudit,
                Adopt = request.Adopt,
            });
            await ReportLoadAsync();
            TellAutoReconcile(auto, except: started.SyncId);
            // A sync of a destination whose key Iterable rejected cannot run: said at once, not found at its first run.
            if (await Destination(request.DestinationId).GetAsync() is { Health: DestinationHealth.Unhealthy } unhealthy)
                return started with { Warning = UnhealthyDestinationWarning(unhealthy) };
            if (started.Warning is not null) return started;
            // The cadence fits on its own; with the project's pace so far it may not.
            var outlook = await OutlookAsync(onAuto ? DownloadQuota.PerMonth(auto) : DownloadsPerMonth(cadence, reconcileEvery), others);
            return started with { Warning = outlook.Warning };
        }
        finally { _starts.Release(); }
    }

    private static string UnhealthyDestinationWarning(DestinationInfo destination) =>
        $"this sync cannot run until destination {destination.DestinationId} has a key Iterable accepts: {destination.HealthReason ?? RunFailures.KeyRejectedReason}";

    // A cron cadence counts its firings in the month ahead; a realtime one its reconciliation interval.
    private static int DownloadsPerMonth(Cadence cadence, TimeSpan? reconcileEvery) =>
        reconcileEvery is { } every ? DownloadQuota.PerMonth(every) : cadence.DownloadsPerMonth(DateTimeOffset.UtcNow);

    /// <summary>
    /// The interval the project's realtime syncs on auto reconcile at, with the syncs of the index and any about to be added,
    /// and those of the other projects of its organisation (<paramref name="others"/>): they all share one quota.
    /// Stopped syncs are still in the index and still counted: the interval errs on the rare side.
    /// </summary>
    private TimeSpan AutoReconcile(MemberLoad others, int extraOnAuto = 0, int extraFixed = 0) => ReconcilePlan.AutoInterval(
        options.Value.AmplitudeMonthlyDownloadQuota,
        (int)Math.Min(int.MaxValue, (long)OwnLoad().FixedPerMonth + others.FixedPerMonth + extraFixed),
        OwnLoad().OnAuto + others.OnAuto + extraOnAuto);

    private MemberLoad OwnLoad() => new(_syncs.All.Sum(e => e.FixedDownloadsPerMonth), _syncs.All.Count(e => e.ReconcilesOnAuto));

    private IOrganisationGrain? Organisation => Project.Organisation is { } name ? GrainFactory.GetGrain<IOrganisationGrain>(name) : null;

    /// <summary>The key of the usage grain that counts, paces and holds this project's downloads.</summary>
    private string UsageKey => OrganisationKeys.UsageOf(ProjectId, Project.Organisation);

    /// <summary>The load of the organisation's other projects (none without an organisation).</summary>
    private async Task<MemberLoad> OthersAsync() => Organisation is { } org ? await org.GetOthersAsync(ProjectId) : MemberLoad.None;

    /// <summary>Tells the organisation this project's load (it tells the other members when it changed); returns the others'.</summary>
    private async Task<MemberLoad> ReportLoadAsync() => Organisation is { } org ? await org.ReportAsync(ProjectId, OwnLoad()) : MemberLoad.None;

    public async Task OrganisationChangedAsync()
    {
        if (Organisation is null) return;
        TellAutoReconcile(AutoReconcile(await OthersAsync()), except: "");
    }

    /// <summary>Tells each realtime sync on auto its interval (one-way: the project waits for none of them).</summary>
    private void TellAutoReconcile(TimeSpan every, string except)
    {
        foreach (var entry in _syncs.All.Where(e => e.ReconcilesOnAuto && e.SyncId != except))
            _ = GrainFactory.GetGrain<ICohortSyncControl>(GrainKeys.Sync(ProjectId, entry.SyncId)).SetAutoReconcileAsync(every);
    }

    public Task<IReadOnlyList<SyncInfo>> ListSyncsAsync()
    {
        RequireExists();
        return _syncs.ListAsync();
    }

    public async Task<SyncInfo> GetSyncAsync(string syncId)
    {
        RequireExists();
        if (!_syncs.Contains(syncId)) throw new CohortSyncException(ErrorCodes.UnknownSync, $"project {ProjectId} has no sync '{syncId}'");
        return await GrainFactory.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(ProjectId, syncId)).GetStatusAsync();
    }

    public async Task<WebhookTokenIssued> IssueWebhookTokenAsync(bool rotate)
    {
        RequireEnabled();
        var rotated = Project.WebhookTokenHash is not null;
        if (rotated && !rotate)
            throw new CohortSyncException(ErrorCodes.WebhookTokenExists,
                $"project {ProjectId} already has a webhook token; add --rotate to replace it (the old one stops working)");
        var token = WebhookToken.New();
        Project.WebhookTokenHash = WebhookToken.Hash(token);
        await WriteAsync();
        logger.LogInformation("Project {ProjectId}: webhook token {Action}", ProjectId, rotated ? "rotated" : "created");
        return new WebhookTokenIssued(ProjectId, WebhookToken.PathFor(ProjectId), token, rotated);
    }

    public Task<WebhookAccess> CheckWebhookTokenAsync(byte[] tokenHash) => Task.FromResult(
        !Project.Exists ? WebhookAccess.UnknownProject
        : !WebhookToken.Matches(Project.WebhookTokenHash, tokenHash) ? WebhookAccess.WrongToken
        : Project.Enabled ? WebhookAccess.Granted
        : WebhookAccess.ProjectDisabled);

    /// <summary>
    /// Every sync of the cohort hears of it (one-way, so a slow or dead sync holds up nothing); only a realtime one acts,
    /// and one that misses the call applies the batch at its next sweep, since the batch is stored already.
    /// </summary>
    public Task WebhookBatchStoredAsync(string cohortId)
    {
        var told = 0;
        // Only realtime syncs follow pushed changes; an entry from before the index kept cadences is told anyway (it decides).
        foreach (var entry in Project.Syncs.Where(s => s.CohortId == cohortId && !s.Stopped && s.Cadence?.IsRealtime != false))
        {
            _ = GrainFactory.GetGrain<ICohortSyncControl>(GrainKeys.Sync(ProjectId, entry.SyncId)).ChangesArrivedAsync();
            told++;
        }
        logger.LogDebug("Project {ProjectId}: webhook batch stored for cohort {CohortId}; {Syncs} syncs told", ProjectId, cohortId, told);
        return Task.CompletedTask;
    }

    public Task<AmplitudeAccess> GetAmplitudeAccessAsync() => Task.FromResult(Access());

    private AmplitudeAccess Access() =>
        new(Project.Exists && Project.Enabled, Project.AmplitudeUrl, Project.AmplitudeKeyCipher, Project.AmplitudeSecretCipher) { UsageKey = UsageKey };

    private IDestinationAccess Destination(string destinationId) => GrainFactory.GetGrain<IDestinationAccess>(GrainKeys.Destination(ProjectId, destinationId));

    public async Task<ProjectInfo> ResetQuotaAsync()
    {
        RequireExists();
        await GrainFactory.GetGrain<IAmplitudeUsageGrain>(UsageKey).ResetQuotaAsync();
        return await InfoAsync();
    }

    private async Task<ProjectInfo> InfoAsync()
    {
        var p = Project;
        var others = await OthersAsync();
        var o = await OutlookAsync(0, others);
        var exhausted = (await GrainFactory.GetGrain<IAmplitudeUsageGrain>(UsageKey).GetThisMonthAsync()).ExhaustedUntil;
        var downloads = new AmplitudeDownloads(o.Month, o.Used, o.Projected, o.Quota, o.Warning)
        {
            ExhaustedUntil = exhausted,
            Organisation = p.Organisation,
            ProjectPlannedPerMonth = p.Organisation is null ? null : PlannedPerMonth(OwnLoad(), AutoReconcile(others)),
        };
        return new ProjectInfo(ProjectId, p.Enabled, p.AmplitudeUrl, p.AmplitudeKeyHint, p.Destinations.Count, p.Syncs.Count, p.EnabledAt,
            downloads, p.WebhookTokenHash is not null);
    }

    /// <summary>The project's outlook, or with an organisation the organisation's: its count and all its members' schedules.</summary>
    private async Task<QuotaOutlook> OutlookAsync(int addedPerMonth, MemberLoad others)
    {
        var count = await GrainFactory.GetGrain<IAmplitudeUsageGrain>(UsageKey).GetThisMonthAsync();
        var (now, quota) = (clock.GetUtcNow(), options.Value.AmplitudeMonthlyDownloadQuota);
        // Syncs started before the index kept cadences: only the pace so far says what they download.
        if (_syncs.All.Any(e => e.Cadence is null && !e.Stopped))
            return QuotaOutlook.For(ProjectId, count.Month, count.Used, now, quota, addedPerMonth, Project.Organisation);
        var planned = PlannedPerMonth(OwnLoad().Plus(others), AutoReconcile(others));
        return QuotaOutlook.ForSchedule(ProjectId, count.Month, count.Used, now, quota, planned, addedPerMonth, Project.Organisation);
    }

    /// <summary>Downloads a month of a load's live syncs, realtime ones on auto at the automatic interval.</summary>
    private static int PlannedPerMonth(MemberLoad load, TimeSpan auto) =>
        (int)Math.Min(int.MaxValue, load.FixedPerMonth + (load.OnAuto > 0 ? (long)load.OnAuto * DownloadQuota.PerMonth(auto) : 0));

    public async Task SyncStoppedAsync(string syncId)
    {
        var index = Project.Syncs.FindIndex(e => e.SyncId == syncId);
        if (index < 0 || Project.Syncs[index].Stopped) return;
        Project.Syncs[index] = Project.Syncs[index] with { Stopped = true };
        await WriteAsync();
        TellAutoReconcile(AutoReconcile(await ReportLoadAsync()), except: "");
    }

    private Task WriteAsync() => _writes.WriteAsync();

    private void RequireExists() => Project.RequireExists(ProjectId);

    private void RequireEnabled() => Project.RequireEnabled(ProjectId);

    private void RequireDestination(string destinationId) => Project.RequireDestination(ProjectId, destinationId);

    private static string NewId(string prefix) => $"{prefix}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
}
