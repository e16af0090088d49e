using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.Iterable;
using CohortSync.Sandbox.RequestLogging;
using CohortSync.Testing;

namespace CohortSync.Delivery.Tests.Harness;

/// <summary>
/// One test's world: a sandbox (Iterable + Amplitude over real HTTP on loopback), one silo on its own SQLite
/// file (restartable on the same file), and a project wired to both.
/// </summary>
public sealed class DeliveryWorld : IAsyncDisposable
{
    public const string ProjectId = "777";
    public const string AmplitudeKey = "amp-key-0007";
    public const string AmplitudeSecret = "amp-secret-0007";
    public const string IterableKey = "iterable-key-0007";

    private readonly TempDirectory _data = new("cohortsync-delivery-");
    private readonly string[] _siloArgs;

    private DeliveryWorld(SandboxServer sandbox, string[] siloArgs)
    {
        Sandbox = sandbox;
        _siloArgs = siloArgs;
    }

    public SandboxServer Sandbox { get; }
    public DeliverySilo Silo { get; private set; } = null!;
    public IGrainFactory Grains => Silo.Grains;
    public IProjectGrain Project => Grains.GetGrain<IProjectGrain>(ProjectId);
    public IterableSandbox Iterable => Sandbox.Iterable;
    public long IterableProjectId { get; private set; }

    public static async Task<DeliveryWorld> StartAsync(params string[] siloArgs)
    {
        var sandbox = await SandboxServer.StartAsync();
        sandbox.Amplitude.PutProject(AmplitudeKey, AmplitudeSecret);
        var world = new DeliveryWorld(sandbox, siloArgs) { IterableProjectId = sandbox.Iterable.AddApiKey(IterableKey) };
        world.Silo = await DeliverySilo.StartAsync(world._data.Path, siloArgs);
        return world;
    }

    /// <summary>Stops the silo gracefully (a run in progress is interrupted) and starts a new one on the same SQLite file.</summary>
    public async Task RestartSiloAsync()
    {
        await Silo.DisposeAsync();
        Silo = await DeliverySilo.StartAsync(_data.Path, _siloArgs);
    }

    public async Task<string> EnableWithDestinationAsync(string iterableKey = IterableKey, double? rate = null, double? maxRate = null, string name = "sandbox")
    {
        await Project.EnableAsync(new EnableProjectRequest(AmplitudeKey, AmplitudeSecret, null, Sandbox.BaseUrl.ToString()));
        var destination = await Project.AddDestinationAsync(new AddDestinationRequest(name, iterableKey, null, null, Sandbox.BaseUrl.ToString(), rate, maxRate));
        return destination.DestinationId;
    }

    public void SetCohort(string cohortId, string name, IEnumerable<string> userIds) =>
        Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, name, userIds.Select((id, i) => new AmplitudeMember(1_000_000 + i, id)));

    public static IReadOnlyList<string> Users(int from, int count, string prefix = "user") =>
        Enumerable.Range(from, count).Select(i => $"{prefix}-{i:D6}").ToList();

    public ICohortSyncGrain Sync(string syncId) => Grains.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(ProjectId, syncId));

    public async Task<string> StartSyncAsync(string cohortId, string destinationId, string cadence = "once") =>
        (await Project.StartSyncAsync(new StartSyncRequest(cohortId, destinationId, cadence))).SyncId;

    /// <summary>Waits until run <paramref name="runNumber"/> (or a later one) has finished, and returns that run.</summary>
    public async Task<RunRecord> WaitForRunAsync(string syncId, long runNumber, TimeSpan? timeout = null)
    {
        try
        {
            return await Wait.ForAsync(async () =>
            {
                var status = await Sync(syncId).GetStatusAsync();
                return status.ActiveRun is null && status.LastRun is { } last && last.RunNumber >= runNumber ? last : null;
            }, $"run {runNumber} of sync {syncId} to finish", timeout);
        }
        catch (TimeoutException timedOut)
        {
            // Say where the run stands: which phase it is stuck in is the first clue.
            var status = await Sync(syncId).GetStatusAsync();
            throw new TimeoutException($"{timedOut.Message}; sync is {status.State}, active run: {status.ActiveRun}", timedOut);
        }
    }

    /// <summary>Waits until the sync is in <paramref name="state"/> with no run active.</summary>
    public Task<SyncInfo> WaitForStateAsync(string syncId, SyncState state, TimeSpan? timeout = null) =>
        Wait.ForAsync(async () =>
        {
            var status = await Sync(syncId).GetStatusAsync();
            return status.State == state && status.ActiveRun is null ? status : null;
        }, $"sync {syncId} to be {state}", timeout);

    public async Task<RunRecord> RunAndWaitAsync(string syncId)
    {
        var before = (await Sync(syncId).GetStatusAsync()).LastRun?.RunNumber ?? 0;
        await Sync(syncId).RunNowAsync();
        return await WaitForRunAsync(syncId, before + 1);
    }

    public async Task<IReadOnlyList<RunRecord>> HistoryAsync(string syncId) => await Sync(syncId).GetHistoryAsync(100);

    public long LastRequestSequence => Sandbox.Requests.LastSequence;

    public IReadOnlyList<RequestLogEntry> IterableRequestsSince(long sequence) =>
        Sandbox.Requests.Since(sequence).Where(e => e.Path.StartsWith("/api/lists", StringComparison.Ordinal)).ToList();

    /// <summary>Requests that change Iterable state: list create/delete, subscribe, unsubscribe.</summary>
    public IReadOnlyList<RequestLogEntry> IterableWritesSince(long sequence) =>
        IterableRequestsSince(sequence).Where(e => e.Method is "POST" or "DELETE").ToList();

    public IReadOnlyList<string> ListMembers(long listId) => Iterable.GetListMembers(IterableKey, listId);

    public async ValueTask DisposeAsync()
    {
        try { if (Silo is not null) await Silo.DisposeAsync(); }
        finally
        {
            await Sandbox.DisposeAsync();
            _data.Dispose();
        }
    }
}
