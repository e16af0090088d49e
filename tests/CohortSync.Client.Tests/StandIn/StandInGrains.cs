using System.Collections.Concurrent;
using CohortSync.Contracts;

namespace CohortSync.Client.Tests.StandIn;

/// <summary>
/// How a stand-in sync's runs go: each run stays active for <see cref="PollsWhileRunning"/> status
/// polls, then ends with <see cref="Outcome"/>. Counting polls instead of time keeps the tests free of sleeps.
/// </summary>
[GenerateSerializer, Immutable, Alias("test.RunScript")]
public sealed record RunScript([property: Id(0)] RunOutcome Outcome, [property: Id(1)] int PollsWhileRunning, [property: Id(2)] string? Reason = null)
{
    public static readonly RunScript QuickSuccess = new(RunOutcome.Succeeded, 2);
    public static readonly RunScript Endless = new(RunOutcome.Running, int.MaxValue);
}

[Alias("test.IStandInSync")]
public interface IStandInSync : IGrainWithStringKey
{
    [Alias("Create")] Task<SyncInfo> CreateAsync(StartSyncRequest request, RunScript script, bool runAtOnce);
}

[Alias("test.IStandInProject")]
public interface IStandInProject : IGrainWithStringKey
{
    [Alias("Requests")] Task<IReadOnlyList<object>> RequestsAsync();
}

/// <summary>Lets a test see from outside the silo that a stand-in grain was asked something.</summary>
public static class StandInSignals
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Polled = new();

    public static Task FirstPollOf(string syncKey) => Polled.GetOrAdd(syncKey, _ => NewSignal()).Task;

    public static void Poll(string syncKey) => Polled.GetOrAdd(syncKey, _ => NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// A project grain that keeps everything in memory and follows the contract's refusals closely
/// enough to drive the client. The real one is <c>ProjectGrain</c> in CohortSync.Grains.
/// Project ids starting with "script-fail" give their syncs runs that fail.
/// </summary>
public sealed class StandInProjectGrain : Grain, IProjectGrain, IStandInProject
{
    private readonly List<object> _requests = [];
    private readonly Dictionary<string, DestinationInfo> _destinations = [];
    private readonly List<string> _syncs = [];
    private ProjectInfo? _project;

    private string Id => this.GetPrimaryKeyString();

    public Task<ProjectInfo> EnableAsync(EnableProjectRequest request)
    {
        _requests.Add(request);
        if (request.AmplitudeRegion is not (null or "us" or "eu")) throw new CohortSyncException(ErrorCodes.InvalidArgument, "unknown region");
        var url = request.AmplitudeUrl ?? (request.AmplitudeRegion == "eu" ? "https://analytics.eu.amplitude.com" : "https://amplitude.com");
        _project = new ProjectInfo(Id, true, url, Hint(request.AmplitudeApiKey), _destinations.Count, _syncs.Count, DateTimeOffset.UtcNow);
        return Task.FromResult(_project);
    }

    public Task<ProjectInfo> DisableAsync() => Task.FromResult(_project = Known() with { Enabled = false, EnabledAt = null });

    public Task<ProjectInfo> GetAsync() => Task.FromResult(Known());

    public Task<DestinationInfo> AddDestinationAsync(AddDestinationRequest request)
    {
        _requests.Add(request);
        Enabled();
        var id = $"d{_destinations.Count + 1}";
        var url = request.IterableUrl ?? (request.IterableRegion == "eu" ? "https://api.eu.iterable.com" : "https://api.iterable.com");
        var added = new DestinationInfo(Id, id, request.Name, url, Hint(request.IterableApiKey), request.UserProperty ?? "user_id",
            DestinationHealth.Healthy, null, DateTimeOffset.UtcNow);
        _destinations[id] = added;
        return Task.FromResult(added);
    }

    public Task<IReadOnlyList<DestinationInfo>> ListDestinationsAsync() =>
        Task.FromResult<IReadOnlyList<DestinationInfo>>([.. _destinations.Values]);

    public Task<DestinationInfo> GetDestinationAsync(string destinationId) =>
        _destinations.TryGetValue(destinationId, out var destination)
            ? Task.FromResult(destination)
            : throw new CohortSyncException(ErrorCodes.UnknownDestination, $"project {Id} has no destination {destinationId}");

    public Task RemoveDestinationAsync(string destinationId) =>
        _destinations.Remove(destinationId)
            ? Task.CompletedTask
            : throw new CohortSyncException(ErrorCodes.UnknownDestination, $"project {Id} has no destination {destinationId}");

    public Task<DestinationInfo> UpdateDestinationAsync(string destinationId, UpdateDestinationRequest request, CancellationToken cancellationToken = default)
    {
        _requests.Add(request);
        if (!_destinations.TryGetValue(destinationId, out var destination))
        {
            throw new CohortSyncException(ErrorCodes.UnknownDestination, $"project {Id} has no destination {destinationId}");
        }
        var updated = destination with { KeyHint = Hint(request.IterableApiKey), Health = DestinationHealth.Healthy, HealthReason = null };
        _destinations[destinationId] = updated;
        return Task.FromResult(updated);
    }

    public async Task<SyncInfo> StartSyncAsync(StartSyncRequest request, CancellationToken cancellationToken = default)
    {
        _requests.Add(request);
        Enabled();
        if (!_destinations.ContainsKey(request.DestinationId))
        {
            throw new CohortSyncException(ErrorCodes.UnknownDestination, $"project {Id} has no destination {request.DestinationId}");
        }
        var syncId = $"s{_syncs.Count + 1}";
        _syncs.Add(syncId);
        var script = Id.StartsWith("script-fail", StringComparison.Ordinal)
            ? new RunScript(RunOutcome.Failed, 1, $"unknown cohort {request.CohortId}")
            : RunScript.QuickSuccess;
        return await GrainFactory.GetGrain<IStandInSync>(GrainKeys.Sync(Id, syncId)).CreateAsync(request, script, runAtOnce: true);
    }

    public async Task<IReadOnlyList<SyncInfo>> ListSyncsAsync()
    {
        var syncs = new List<SyncInfo>();
        foreach (var syncId in _syncs) syncs.Add(await GrainFactory.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(Id, syncId)).GetStatusAsync());
        return syncs;
    }

    public Task<SyncInfo> GetSyncAsync(string syncId) => GrainFactory.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(Id, syncId)).GetStatusAsync();

    public Task<IReadOnlyList<object>> RequestsAsync() => Task.FromResult<IReadOnlyList<object>>([.. _requests]);

    private ProjectInfo Known() => _project ?? throw new CohortSyncException(ErrorCodes.UnknownProject, $"project {Id} is not enabled");

    private void Enabled()
    {
        if (!Known().Enabled) throw new CohortSyncException(ErrorCodes.ProjectDisabled, $"project {Id} is disabled");
    }

    private static string Hint(string secret) => "…" + secret[^Math.Min(4, secret.Length)..];
}

/// <summary>A sync grain whose runs follow a <see cref="RunScript"/>. The real one is <c>CohortSyncGrain</c>.</summary>
public sealed class StandInSyncGrain : Grain, ICohortSyncGrain, IStandInSync
{
    private readonly List<RunRecord> _history = [];
    private SyncInfo? _sync;
    private RunScript _script = RunScript.QuickSuccess;
    private int _pollsLeft;

    public async Task<SyncInfo> CreateAsync(StartSyncRequest request, RunScript script, bool runAtOnce)
    {
        var (projectId, syncId) = GrainKeys.Split(this.GetPrimaryKeyString());
        _script = script;
        _sync = new SyncInfo(projectId, syncId, request.CohortId, null, request.DestinationId, request.Cadence.ToString(), SyncState.Scheduled, null,
            null, null, 0, null, null, null, DateTimeOffset.UtcNow);
        return runAtOnce ? await RunNowAsync() : _sync;
    }

    public Task<SyncInfo> GetStatusAsync()
    {
        StandInSignals.Poll(this.GetPrimaryKeyString());
        var sync = Known();
        if (sync.ActiveRun is { } active && _pollsLeft-- <= 0) Finish(active);
        return Task.FromResult(_sync!);
    }

    public Task<SyncInfo> RunNowAsync()
    {
        var sync = Known();
        if (sync.State is SyncState.Paused or SyncState.Stopped)
        {
            throw new CohortSyncException(ErrorCodes.InvalidState, $"sync {sync.SyncId} is {sync.State.ToString().ToLowerInvariant()}");
        }
        if (sync.ActiveRun is null)
        {
            var run = new RunRecord((sync.LastRun?.RunNumber ?? 0) + 1, "manual", DateTimeOffset.UtcNow, null, RunOutcome.Running, null,
                RunPhase.ReadingCohort, new RunCounts());
            _pollsLeft = _script.PollsWhileRunning;
            _sync = sync with { State = SyncState.Running, ActiveRun = run };
        }
        return Task.FromResult(_sync!);
    }

    public Task<SyncInfo> PauseAsync() => Task.FromResult(_sync = Known() with { State = SyncState.Paused });

    public Task<SyncInfo> ResumeAsync() => Task.FromResult(_sync = Known() with { State = SyncState.Scheduled });

    public Task<SyncInfo> StopAsync() => Task.FromResult(_sync = Known() with { State = SyncState.Stopped, ActiveRun = null });

    /// <summary>A fixed difference: two members to add, one to remove, against what the sync holds.</summary>
    public Task<SyncPreview> PreviewAsync()
    {
        var sync = Known();
        return Task.FromResult(new SyncPreview(sync.ProjectId, sync.SyncId, sync.CohortId, "Stand-in cohort", sync.ListId, sync.ListName,
            sync.SyncedCount, 3, 3, 0, 0, 0, 2, 1, ["new-1", "new-2"], ["gone-1"]));
    }

    public Task<IReadOnlyList<RunRecord>> GetHistoryAsync(int limit) =>
        Task.FromResult<IReadOnlyList<RunRecord>>([.. Enumerable.Reverse(_history).Take(limit)]);

    private void Finish(RunRecord active)
    {
        var counts = _script.Outcome == RunOutcome.Succeeded
            ? new RunCounts { CohortRows = 3, Desired = 3, PlannedAdds = 3, Added = 3, Requests = 1 }
            : new RunCounts();
        var finished = active with { FinishedAt = DateTimeOffset.UtcNow, Outcome = _script.Outcome, Reason = _script.Reason, Phase = RunPhase.Finished, Counts = counts };
        _history.Add(finished);
        _sync = _sync! with
        {
            State = _script.Outcome == RunOutcome.Succeeded ? SyncState.Scheduled : SyncState.Failed,
            ActiveRun = null,
            LastRun = finished,
            SyncedCount = _sync.SyncedCount + counts.Added,
        };
    }

    private SyncInfo Known() => _sync ?? throw new CohortSyncException(ErrorCodes.UnknownSync, $"no sync {this.GetPrimaryKeyString()}");
}
