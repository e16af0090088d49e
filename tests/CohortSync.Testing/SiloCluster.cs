using System.Net;
using CohortSync.Contracts;
using CohortSync.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;

namespace CohortSync.Testing;

/// <summary>How a world runs its silos.</summary>
public enum SiloHosting
{
    /// <summary>One silo host in the test process; the test uses its grain factory.</summary>
    InProcess,

    /// <summary>Silo processes; the test reaches them through an Orleans client, as the CLI does.</summary>
    Processes,
}

/// <summary>
/// The silos of one world on one storage: a silo in this process, or silo processes. Processes on PostgreSQL
/// form a real cluster (the database migrated by the silo's own <c>migrate</c> command, one secret key, one
/// cluster id, the client finding the gateways in the membership table); a process on SQLite is reached at its gateway.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    /// <summary>The service id of process clusters on PostgreSQL (stored rows are keyed by it).</summary>
    public const string ServiceId = "cohortsync-tests";

    /// <summary>Failure detection for tests: a killed silo is declared dead in seconds (production keeps Orleans' defaults).</summary>
    public static readonly string[] FastMembershipArgs =
    [
        "--CohortSync:Membership:ProbeTimeout=00:00:02",
        "--CohortSync:Membership:NumMissedProbesLimit=3",
        "--CohortSync:Membership:TableRefreshTimeout=00:00:02",
        "--CohortSync:Membership:IAmAliveTablePublishTimeout=00:00:05",
    ];

    private readonly TempDirectory _data;
    private readonly List<SiloProcess> _silos = [];
    private readonly string _secretKey = StorageUnderTest.NewSecretKey();
    private readonly string[] _siloArgs;
    private readonly TimeSpan _responseTimeout;
    private string[] _inProcessArgs = [];
    private InProcessSilo? _inProcess;
    private IReadOnlyDictionary<string, string?> _extraEnvironment = new Dictionary<string, string?>();
    private Action<IClientBuilder> _configureClient = _ => { };
    private bool _transcripts;
    private IHost? _client;
    private int _started;

    private SiloCluster(StorageUnderTest storage, SiloHosting hosting, string[] siloArgs, TimeSpan responseTimeout, TempDirectory data)
    {
        Storage = storage;
        Hosting = hosting;
        _siloArgs = siloArgs;
        _responseTimeout = responseTimeout;
        _data = data;
        ClusterId = IsPostgresCluster ? $"cluster-{Guid.NewGuid():N}"[..20] : "cohortsync";
    }

    public StorageUnderTest Storage { get; }
    public SiloHosting Hosting { get; }
    public string DataDir => _data.Path;
    public string ClusterId { get; }

    /// <summary>The world's PostgreSQL database (in process or processes); empty on SQLite.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The silo of an in-process world.</summary>
    public InProcessSilo Silo => _inProcess ?? throw new InvalidOperationException("this world runs its silos as processes");

    /// <summary>The silo processes of a process world, killed ones included.</summary>
    public IReadOnlyList<SiloProcess> Silos => _silos;

    public IGrainFactory Grains => Hosting == SiloHosting.InProcess
        ? Silo.Grains
        : _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("not connected");

    /// <summary>What a silo process of a PostgreSQL cluster needs in its environment: the shared secret key, never on a command line.</summary>
    public IReadOnlyDictionary<string, string?> SiloEnvironment => IsPostgresCluster
        ? new Dictionary<string, string?>(_extraEnvironment) { [SiloSettingsSecretKey] = _secretKey }
        : new Dictionary<string, string?>(_extraEnvironment);

    /// <summary>The <c>application_name</c> of the test client's PostgreSQL sessions (gateway list reads).</summary>
    public const string ClientApplicationName = "cohortsync-test-client";

    private const string SiloSettingsSecretKey = "COHORTSYNC_SECRET_KEY";

    private bool IsPostgresCluster => Hosting == SiloHosting.Processes && Storage.Backend == StorageBackend.Postgres;

    /// <param name="environment">More environment for silo processes (a certificate's password), never arguments.</param>
    /// <param name="configureClient">Sets the test's own cluster client up further (TLS).</param>
    /// <param name="transcripts">Silo processes write all of their output to <c>&lt;DataDir&gt;/&lt;name&gt;.log</c> (<see cref="SiloProcess.TranscriptPath"/>).</param>
    public static async Task<SiloCluster> StartAsync(StorageUnderTest storage, SiloHosting hosting, int silos, string[] siloArgs, TimeSpan responseTimeout,
        IReadOnlyDictionary<string, string?>? environment = null, Action<IClientBuilder>? configureClient = null, bool transcripts = false)
    {
        if (hosting == SiloHosting.InProcess && silos != 1) throw new ArgumentOutOfRangeException(nameof(silos), "an in-process world has one silo");
        var cluster = new SiloCluster(storage, hosting, siloArgs, responseTimeout, new TempDirectory("cohortsync-world-"))
        {
            _extraEnvironment = environment ?? new Dictionary<string, string?>(),
            _configureClient = configureClient ?? (_ => { }),
            _transcripts = transcripts,
        };
        try
        {
            if (hosting == SiloHosting.InProcess)
            {
                if (storage.Backend == StorageBackend.Postgres) cluster.ConnectionString = await storage.CreateDatabaseAsync();
                cluster._inProcessArgs = [.. await storage.SiloArgsAsync(cluster.DataDir, cluster.ConnectionString), .. siloArgs];
                cluster._inProcess = await InProcessSilo.StartAsync(cluster.DataDir, null, null, cluster._inProcessArgs);
                return cluster;
            }
            if (cluster.IsPostgresCluster)
            {
                cluster.ConnectionString = await storage.CreateDatabaseAsync();
                var migrate = await cluster.MigrateAsync();
                if (migrate.ExitCode != 0) throw new InvalidOperationException($"migrate exited {migrate.ExitCode}: {migrate.Stderr}");
            }
            await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => cluster.AddSiloAsync()));
            await cluster.WaitUntilEverySiloSeesAllAsync();
            await cluster.ConnectAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>`silo migrate` as an operator runs it, with the connection string in the environment.</summary>
    public Task<ProcessResult> MigrateAsync() =>
        ChildProcess.RunAsync(ChildProcess.Silo, ["migrate", "--storage", "postgres"],
            new Dictionary<string, string?> { ["COHORTSYNC_POSTGRES"] = ConnectionString }, timeout: TimeSpan.FromMinutes(2));

    /// <summary>Starts one more silo process and waits until it is an active member.</summary>
    public async Task<SiloProcess> AddSiloAsync()
    {
        if (Hosting != SiloHosting.Processes) throw new InvalidOperationException("an in-process world has one silo");
        var name = $"silo-{Interlocked.Increment(ref _started)}";
        // A SQLite silo keeps its file in the world's data folder, so a silo started after a kill finds it again.
        var dataDir = IsPostgresCluster ? Path.Combine(DataDir, name) : DataDir;
        return await StartProcessAsync(name, dataDir, FreePorts.Next(3));
    }

    private async Task<SiloProcess> StartProcessAsync(string name, string dataDir, int[] ports)
    {
        string[] storageArgs = IsPostgresCluster
            ? ["--storage", "postgres", "--postgres", ConnectionString, "--cluster-id", ClusterId, "--service-id", ServiceId, "--advertise", "127.0.0.1"]
            : [];
        string[] args =
        [
            .. storageArgs,
            "--data-dir", dataDir,
            "--silo-port", ports[0].ToString(),
            "--gateway-port", ports[1].ToString(),
            "--http-port", ports[2].ToString(),
            .. EngineTestSettings.FastArgs,
            .. IsPostgresCluster ? FastMembershipArgs : [],
            .. _siloArgs,
        ];
        var silo = SiloProcess.Start(name, args, SiloEnvironment, ports[0], ports[1], ports[2], _transcripts ? Path.Combine(DataDir, name + ".log") : null);
        lock (_silos) _silos.Add(silo);
        await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        return silo;
    }

    /// <summary>
    /// Stops the silo and starts a new one on the same database and ports: in process a graceful stop (a run in
    /// progress is cut short and checkpointed); a silo process is killed (SIGKILL) unless it is already gone.
    /// </summary>
    public async Task RestartSiloAsync()
    {
        if (Hosting == SiloHosting.InProcess)
        {
            var (siloPort, gatewayPort) = (Silo.SiloPort, Silo.GatewayPort);
            await Silo.DisposeAsync();
            _inProcess = await InProcessSilo.StartAsync(DataDir, siloPort, gatewayPort, _inProcessArgs);
            return;
        }
        if (IsPostgresCluster || _silos.Count != 1) throw new InvalidOperationException("restart is for a world of one silo; a cluster adds and kills silos");
        var old = _silos[0];
        if (!old.Killed && !old.Crashed) old.Kill();
        await old.DisposeAsync();
        _silos.Clear();
        await StartProcessAsync($"silo-{Interlocked.Increment(ref _started)}", DataDir, [old.SiloPort, old.GatewayPort, old.HttpPort]);
    }

    /// <summary>
    /// Waits until every live silo knows every other as active. A silo is ready once it is a member itself;
    /// the others learn of it a moment later, and until then place nothing on it.
    /// </summary>
    public async Task WaitUntilEverySiloSeesAllAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var live = _silos.Where(s => !s.Killed && !s.Crashed).ToList();
        await Wait.UntilAsync($"each of {live.Count} silos to see all of them active", TimeSpan.FromSeconds(60), async () =>
        {
            var seen = await Task.WhenAll(live.Select(s => s.ActiveSilosSeenAsync(http)));
            return (seen.All(n => n == live.Count), string.Join(", ", live.Zip(seen, (s, n) => $"{s.Name} sees {n?.ToString() ?? "?"}")));
        }, poll: TimeSpan.FromMilliseconds(200));
    }

    private async Task ConnectAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            if (IsPostgresCluster)
            {
                // Named, so what the silos ask of PostgreSQL can be told from what the test's client does.
                var clientConnection = new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = ClientApplicationName }.ConnectionString;
                client.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", clientConnection))
                    .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId))
                    .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            }
            else
            {
                client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, _silos[0].GatewayPort))
                    .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("cohortsync", "cohortsync"));
            }
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = _responseTimeout);
            _configureClient(client);
        });
        _client = builder.Build();
        await _client.StartAsync();
    }

    /// <summary>
    /// The silo process (by its silo port) that hosts the grain's activation now, or null when none is active. Asked of
    /// the silos' own activation lists: the directory's answer (<c>GetActivationAddress</c>) can name a silo the
    /// activation has left, and syncs leave memory between runs.
    /// </summary>
    public async Task<SiloProcess?> HostOfAsync(IAddressable grain)
    {
        var id = grain.GetGrainId();
        var activations = await Retry.CallAsync(() => Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics());
        var address = activations.FirstOrDefault(a => a.GrainId == id)?.SiloAddress;
        return address is null ? null : _silos.FirstOrDefault(s => s.SiloPort == address.Endpoint.Port);
    }

    /// <summary>The silo's latest status in the membership table (Orleans' SiloStatus: 3 active, 6 dead).</summary>
    public async Task<int?> MembershipStatusAsync(SiloProcess silo)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM orleans_membership WHERE deployment_id = @id AND port = @port ORDER BY generation DESC LIMIT 1";
        command.Parameters.AddWithValue("id", ClusterId);
        command.Parameters.AddWithValue("port", silo.SiloPort);
        return await command.ExecuteScalarAsync() is int status ? status : null;
    }

    /// <summary>Silo processes that exited without the test killing them, with their last output.</summary>
    /// <summary>The engine's own lines (and Orleans' warnings) of each silo's kept output, for a failing test's message.</summary>
    public string EngineLog() => string.Join("\n", _silos.Select(s => $"-- {s.Name}{(s.HasExited ? " (exited)" : "")}:\n" + string.Join("\n",
        s.Output.Split('\n').Where(l => l.Contains("CohortSync.", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal))
            .Select(l => l.Length > 400 ? l[..400] : l).TakeLast(60))));

    public string CrashReport() => string.Join("\n", _silos.Where(s => s.Crashed).Select(s => $"{s.Name} exited on its own:\n{s.Output}"));

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await _client.StopAsync(timeout.Token); } catch (Exception) { /* the cluster may be gone already */ }
            _client.Dispose();
        }
        foreach (var silo in _silos) await silo.DisposeAsync();
        if (_inProcess is not null) await _inProcess.DisposeAsync();
        _data.Dispose();
    }
}
