using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Sandbox.Iterable;
using CohortSync.Sandbox.RequestLogging;

namespace CohortSync.Testing;

/// <summary>What a world is made of; the defaults are one in-process silo on its own SQLite file.</summary>
public sealed record WorldOptions
{
    public StorageUnderTest Storage { get; init; } = StorageUnderTest.Sqlite;
    public SiloHosting Hosting { get; init; } = SiloHosting.InProcess;
    public int Silos { get; init; } = 1;

    /// <summary>More silo command-line arguments, e.g. <c>--CohortSync:Engine:…=…</c>; kept across restarts.</summary>
    public IReadOnlyList<string> SiloArgs { get; init; } = [];

    public SandboxOptions? Sandbox { get; init; }

    /// <summary>How long the test's Orleans client waits for an answer from silo processes.</summary>
    public TimeSpan ClientResponseTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>More environment for silo processes (a certificate's password): secrets never go on a command line.</summary>
    public IReadOnlyDictionary<string, string?> SiloEnvironment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Sets the test's own cluster client up further (TLS).</summary>
    public Action<IClientBuilder>? ConfigureClient { get; init; }

    /// <summary>Silo processes keep all of their output in a file (<see cref="SiloProcess.TranscriptPath"/>), not only its end.</summary>
    public bool SiloTranscripts { get; init; }
}

/// <summary>
/// One test's world, the only one the tests and the load harness build: a sandbox (Iterable + Amplitude over real
/// HTTP on loopback), silos on a database of the world's own (<see cref="SiloCluster"/>: in process or as
/// processes, SQLite or PostgreSQL), and a project wired to both.
/// </summary>
public sealed class World : IAsyncDisposable
{
    public const string ProjectId = "123456";
    public const string AmplitudeKey = "amp-key-0001";
    public const string AmplitudeSecret = "amp-secret-0001";
    public const string IterableKey = "iterable-key-0001";

    private World(SandboxServer sandbox, long iterableProjectId)
    {
        Sandbox = sandbox;
        IterableProjectId = iterableProjectId;
    }

    public SandboxServer Sandbox { get; }
    public IterableSandbox Iterable => Sandbox.Iterable;

    /// <summary>The sandbox's Iterable project that <see cref="IterableKey"/> writes to.</summary>
    public long IterableProjectId { get; }

    public SiloCluster Cluster { get; private set; } = null!;
    public InProcessSilo Silo => Cluster.Silo;
    public IReadOnlyList<SiloProcess> Silos => Cluster.Silos;
    public string DataDir => Cluster.DataDir;
    public string ConnectionString => Cluster.ConnectionString;
    public string ClusterId => Cluster.ClusterId;
    public IGrainFactory Grains => Cluster.Grains;
    public IProjectGrain Project => Grains.GetGrain<IProjectGrain>(ProjectId);

    /// <summary>One in-process silo on <paramref name="storage"/> (SQLite when null).</summary>
    public static Task<World> StartAsync(StorageUnderTest? storage = null, params string[] siloArgs) =>
        StartAsync(new WorldOptions { Storage = storage ?? StorageUnderTest.Sqlite, SiloArgs = siloArgs });

    /// <summary>A cluster of <paramref name="silos"/> silo processes sharing a fresh database on the collection's PostgreSQL server.</summary>
    public static Task<World> StartClusterAsync(PostgresFixture postgres, int silos, params string[] siloArgs) =>
        StartAsync(new WorldOptions
        {
            Storage = StorageUnderTest.Postgres(postgres),
            Hosting = SiloHosting.Processes,
            Silos = silos,
            SiloArgs = siloArgs,
            Sandbox = new SandboxOptions { MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
        });

    public static async Task<World> StartAsync(WorldOptions options)
    {
        var sandbox = await SandboxServer.StartAsync(options.Sandbox ?? new SandboxOptions());
        sandbox.Amplitude.PutProject(AmplitudeKey, AmplitudeSecret);
        var world = new World(sandbox, sandbox.Iterable.AddApiKey(IterableKey));
        try
        {
            world.Cluster = await SiloCluster.StartAsync(options.Storage, options.Hosting, options.Silos, [.. options.SiloArgs], options.ClientResponseTimeout,
                options.SiloEnvironment, options.ConfigureClient, options.SiloTranscripts);
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
        return world;
    }

    /// <summary>See <see cref="SiloCluster.RestartSiloAsync"/>: graceful in process, SIGKILL for a silo process.</summary>
    public Task RestartSiloAsync() => Cluster.RestartSiloAsync();

    public Task<SiloProcess> AddSiloAsync() => Cluster.AddSiloAsync();

    /// <summary>Enables the project and adds one destination pointing at the sandbox; returns its id.</summary>
    public async Task<string> EnableWithDestinationAsync(string? userProperty = null, string iterableKey = IterableKey, double? rate = null, double? maxRate = null, string name = "sandbox")
    {
        var url = Sandbox.BaseUrl.ToString();
        await Project.EnableAsync(new EnableProjectRequest(AmplitudeKey, AmplitudeSecret, null, url));
        var destination = await Project.AddDestinationAsync(new AddDestinationRequest(name, iterableKey, userProperty, null, url, rate, maxRate));
        return destination.DestinationId;
    }

    public Task<string> EnableProjectAsync() => EnableWithDestinationAsync();

    public void SetCohort(string cohortId, string name, IEnumerable<string> userIds) =>
        Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, name, userIds.Select((id, i) => new AmplitudeMember(1_000_000 + i, id)));

    /// <summary>A cohort named after its id.</summary>
    public void SetCohort(string cohortId, IEnumerable<string> userIds) => SetCohort(cohortId, $"Cohort {cohortId}", userIds);

    public void SetCohortMembers(string cohortId, string name, IEnumerable<AmplitudeMember> members) =>
        Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, name, members);

    public static IReadOnlyList<string> Users(int from, int count, string prefix = "user") =>
        Enumerable.Range(from, count).Select(i => $"{prefix}-{i:D6}").ToList();

    public ICohortSyncGrain Sync(string syncId) => Sync(ProjectId, syncId);

    public ICohortSyncGrain Sync(string projectId, string syncId) => Grains.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(projectId, syncId));

    public Task<SyncInfo> StartSyncAsync(string cohortId, string destinationId, string cadence = "once") =>
        Project.StartSyncAsync(new StartSyncRequest(cohortId, destinationId, cadence));

    public async Task<string> StartSyncIdAsync(string cohortId, string destinationId, string cadence = "once") =>
        (await StartSyncAsync(cohortId, destinationId, cadence)).SyncId;

    /// <summary>The sync's status, retried while a cluster re-forms (a silo just died, calls to it time out).</summary>
    public Task<SyncInfo> StatusAsync(string syncId) => Retry.CallAsync(() => Sync(syncId).GetStatusAsync());

    /// <summary>Waits until run <paramref name="runNumber"/> (or a later one) has finished, and returns that run.</summary>
    public Task<RunRecord> WaitForRunAsync(string syncId, long runNumber, TimeSpan? timeout = null) =>
        WaitForRunAsync(ProjectId, syncId, runNumber, timeout);

    public async Task<RunRecord> WaitForRunAsync(string projectId, string syncId, long runNumber, TimeSpan? timeout = null)
    {
        try
        {
            return await Wait.ForAsync(async () =>
            {
                var status = await Sync(projectId, syncId).GetStatusAsync();
                return status.ActiveRun is null && status.LastRun is { } last && last.RunNumber >= runNumber ? last : null;
            }, $"run {runNumber} of sync {syncId} to finish", timeout);
        }
        catch (TimeoutException timedOut)
        {
            // Say where the run stands: which phase it is stuck in is the first clue.
            var status = await Sync(projectId, syncId).GetStatusAsync();
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

    /// <summary>Runs the sync now and waits for that run to finish.</summary>
    public async Task<RunRecord> RunAndWaitAsync(string syncId)
    {
        var before = (await Sync(syncId).GetStatusAsync()).LastRun?.RunNumber ?? 0;
        await Sync(syncId).RunNowAsync();
        return await WaitForRunAsync(syncId, before + 1);
    }

    public async Task<IReadOnlyList<RunRecord>> HistoryAsync(string syncId) => await Sync(syncId).GetHistoryAsync(100);

    /// <summary>The names of the sync's reminders, as the reminder table holds them (what the reminder service loads).</summary>
    public async Task<IReadOnlyList<string>> ReminderNamesAsync(string syncId)
    {
        const string Query = "SELECT reminder_name FROM orleans_reminder WHERE grain_id LIKE @grain ORDER BY reminder_name";
        System.Data.Common.DbConnection connection = Cluster.Storage.Backend == CohortSync.Storage.StorageBackend.Postgres
            ? new Npgsql.NpgsqlConnection(ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(DataDir, "cohortsync.db")}");
        await using (connection)
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = Query;
            var grain = command.CreateParameter();
            (grain.ParameterName, grain.Value) = ("grain", "%/" + GrainKeys.Sync(ProjectId, syncId));
            command.Parameters.Add(grain);
            var names = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) names.Add(reader.GetString(0));
            return names;
        }
    }

    public long LastRequestSequence => Sandbox.Requests.LastSequence;

    public IReadOnlyList<RequestLogEntry> IterableRequestsSince(long sequence) =>
        Sandbox.Requests.Since(sequence).Where(e => e.Path.StartsWith("/api/lists", StringComparison.Ordinal)).ToList();

    /// <summary>Every request that changes Iterable state (list create/delete, subscribe, unsubscribe) after a point.</summary>
    public IReadOnlyList<RequestLogEntry> IterableWritesSince(long sequence) =>
        Sandbox.Requests.Since(sequence).Where(IsIterableWrite).ToList();

    public static bool IsIterableWrite(RequestLogEntry e) =>
        e.Path.StartsWith("/api/lists", StringComparison.Ordinal) && e.Method is "POST" or "DELETE";

    /// <summary>A subscribe or unsubscribe: a write that changes who is on a list.</summary>
    public static bool IsMembershipWrite(RequestLogEntry e) =>
        e.Method == "POST" && e.Path is "/api/lists/subscribe" or "/api/lists/unsubscribe";

    public IReadOnlyList<string> ListMembers(long listId) => Iterable.GetListMembers(IterableKey, listId);

    /// <summary>The silo process that hosts the sync's activation now, or null when none is active.</summary>
    public Task<SiloProcess?> HostOfAsync(string syncId) => Cluster.HostOfAsync(Sync(syncId));

    public Task<int?> MembershipStatusAsync(SiloProcess silo) => Cluster.MembershipStatusAsync(silo);

    public string CrashReport() => Cluster.CrashReport();

    public async ValueTask DisposeAsync()
    {
        try { if (Cluster is not null) await Cluster.DisposeAsync(); }
        finally
        {
            await Sandbox.DisposeAsync();
        }
    }
}
