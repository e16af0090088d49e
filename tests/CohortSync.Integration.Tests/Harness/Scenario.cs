using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.RequestLogging;
using CohortSync.Testing;

namespace CohortSync.Integration.Tests.Harness;

/// <summary>
/// One test's world: a sandbox (Iterable + Amplitude over real HTTP on loopback), a silo on its own
/// database (a SQLite file, or a fresh PostgreSQL database), and a project wired to both.
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    public const string ProjectId = "123456";
    public const string AmplitudeKey = "amp-key-0001";
    public const string AmplitudeSecret = "amp-secret-0001";
    public const string IterableKey = "iterable-key-0001";

    private readonly TempDirectory _data = new("cohortsync-it-");

    private string[] _storageArgs = [];

    private Scenario(SandboxServer sandbox) => Sandbox = sandbox;

    public SandboxServer Sandbox { get; }
    public SiloUnderTest Silo { get; private set; } = null!;
    public string DataDir => _data.Path;
    public IGrainFactory Grains => Silo.Grains;
    public IProjectGrain Project => Grains.GetGrain<IProjectGrain>(ProjectId);

    /// <param name="siloArgs">More silo command-line arguments, e.g. <c>--CohortSync:Engine:…=…</c>; kept across restarts.</param>
    public static async Task<Scenario> StartAsync(StorageUnderTest? storage = null, params string[] siloArgs)
    {
        var sandbox = await SandboxServer.StartAsync();
        sandbox.Amplitude.PutProject(AmplitudeKey, AmplitudeSecret);
        sandbox.Iterable.AddApiKey(IterableKey);
        var scenario = new Scenario(sandbox);
        try
        {
            scenario._storageArgs = [.. await (storage ?? StorageUnderTest.Sqlite).SiloArgsAsync(scenario.DataDir), .. siloArgs];
            scenario.Silo = await SiloUnderTest.StartAsync(scenario.DataDir, null, null, scenario._storageArgs);
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
        return scenario;
    }

    public async Task RestartSiloAsync()
    {
        var (silo, gateway) = (Silo.SiloPort, Silo.GatewayPort);
        await Silo.DisposeAsync();
        Silo = await SiloUnderTest.StartAsync(DataDir, silo, gateway, _storageArgs);
    }

    /// <summary>Enables the project and adds one destination pointing at the sandbox; returns its id.</summary>
    public async Task<string> EnableWithDestinationAsync(string? userProperty = null, string iterableKey = IterableKey)
    {
        await Project.EnableAsync(new EnableProjectRequest(AmplitudeKey, AmplitudeSecret, null, Sandbox.BaseUrl.ToString()));
        var destination = await Project.AddDestinationAsync(new AddDestinationRequest("sandbox", iterableKey, userProperty, null, Sandbox.BaseUrl.ToString()));
        return destination.DestinationId;
    }

    public void SetCohort(string cohortId, string name, IEnumerable<string> userIds) =>
        Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, name, userIds.Select((id, i) => new AmplitudeMember(1_000_000 + i, id)));

    public void SetCohortMembers(string cohortId, string name, IEnumerable<AmplitudeMember> members) =>
        Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, name, members);

    public static IReadOnlyList<string> Users(int from, int count) => Enumerable.Range(from, count).Select(i => $"user-{i:D6}").ToList();

    public ICohortSyncGrain Sync(string syncId) => Grains.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(ProjectId, syncId));

    public async Task<SyncInfo> StartSyncAsync(string cohortId, string destinationId, string cadence = "once")
    {
        var sync = await Project.StartSyncAsync(new StartSyncRequest(cohortId, destinationId, cadence));
        return sync;
    }

    /// <summary>Waits until run <paramref name="runNumber"/> (or a later one) has finished, and returns that run.</summary>
    public Task<RunRecord> WaitForRunAsync(string syncId, long runNumber, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(async () =>
        {
            var status = await Sync(syncId).GetStatusAsync();
            return status.ActiveRun is null && status.LastRun is { } last && last.RunNumber >= runNumber ? last : null;
        }, timeout ?? TimeSpan.FromSeconds(60), $"run {runNumber} of sync {syncId} to finish");

    /// <summary>Runs the sync now and waits for that run to finish.</summary>
    public async Task<RunRecord> RunAndWaitAsync(string syncId)
    {
        var before = (await Sync(syncId).GetStatusAsync()).LastRun?.RunNumber ?? 0;
        await Sync(syncId).RunNowAsync();
        return await WaitForRunAsync(syncId, before + 1);
    }

    public long LastRequestSequence => Sandbox.Requests.LastSequence;

    /// <summary>Every request that changes Iterable state (list create/delete, subscribe, unsubscribe) after a point.</summary>
    public IReadOnlyList<RequestLogEntry> IterableWritesSince(long sequence) =>
        Sandbox.Requests.Since(sequence).Where(IsIterableWrite).ToList();

    public static bool IsIterableWrite(RequestLogEntry e) =>
        e.Path.StartsWith("/api/lists", StringComparison.Ordinal) && e.Method is "POST" or "DELETE";

    public IReadOnlyList<string> ListMembers(long listId) => Sandbox.Iterable.GetListMembers(IterableKey, listId);

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
