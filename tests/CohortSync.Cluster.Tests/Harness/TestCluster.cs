using System.Security.Cryptography;
using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.Amplitude;
using CohortSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;

namespace CohortSync.Cluster.Tests.Harness;

/// <summary>
/// One test's cluster: a fresh PostgreSQL database migrated by the silo's own <c>migrate</c> command,
/// silo processes on loopback sharing it (one secret key, one cluster id), a sandbox they all talk
/// to over HTTP, and an Orleans client in the test that finds the gateways in the membership table.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string ProjectId = "424242";
    public const string AmplitudeKey = "amp-key-cluster";
    public const string AmplitudeSecret = "amp-secret-cluster";
    public const string IterableKey = "iterable-key-cluster-0001";
    public const string ServiceId = "cohortsync-tests";

    /// <summary>Failure detection for tests: a killed silo is declared dead in seconds (production keeps Orleans' defaults).</summary>
    public static readonly string[] FastMembershipArgs =
    [
        "--CohortSync:Membership:ProbeTimeout=00:00:02",
        "--CohortSync:Membership:NumMissedProbesLimit=3",
        "--CohortSync:Membership:TableRefreshTimeout=00:00:02",
        "--CohortSync:Membership:IAmAliveTablePublishTimeout=00:00:05",
    ];

    private readonly TempDirectory _data = new("cohortsync-cluster-");
    private readonly List<SiloNode> _silos = [];
    private readonly string _secretKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string[] _siloArgs;
    private IReadOnlyDictionary<string, string?> _extraSiloEnvironment = new Dictionary<string, string?>();
    private Action<IClientBuilder> _configureClient = _ => { };
    private IHost? _client;
    private int _started;

    private TestCluster(PostgresFixture postgres, SandboxServer sandbox, string connectionString, string[] siloArgs)
    {
        Postgres = postgres;
        Sandbox = sandbox;
        ConnectionString = connectionString;
        _siloArgs = siloArgs;
    }

    public PostgresFixture Postgres { get; }
    public SandboxServer Sandbox { get; }
    public string ConnectionString { get; }
    public string ClusterId { get; } = $"cluster-{Guid.NewGuid():N}"[..20];
    public IReadOnlyList<SiloNode> Silos => _silos;
    public IClusterClient Client => _client?.Services.GetRequiredService<IClusterClient>() ?? throw new InvalidOperationException("not connected");
    public IProjectGrain Project => Client.GetGrain<IProjectGrain>(ProjectId);

    /// <summary>What a silo process of this cluster needs in its environment: the shared secret key, never on a command line.</summary>
    public IReadOnlyDictionary<string, string?> SiloEnvironment =>
        new Dictionary<string, string?>(_extraSiloEnvironment) { ["COHORTSYNC_SECRET_KEY"] = _secretKey };

    public static Task<TestCluster> StartAsync(PostgresFixture postgres, int silos, params string[] extraSiloArgs) =>
        StartAsync(postgres, silos, new Dictionary<string, string?>(), _ => { }, extraSiloArgs);

    /// <summary>A cluster whose silos get more environment (a certificate's password) and whose test client is set up further (TLS).</summary>
    public static async Task<TestCluster> StartAsync(PostgresFixture postgres, int silos, IReadOnlyDictionary<string, string?> siloEnvironment,
        Action<IClientBuilder> configureClient, params string[] extraSiloArgs)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
        sandbox.Amplitude.PutProject(AmplitudeKey, AmplitudeSecret);
        sandbox.Iterable.AddApiKey(IterableKey);
        var connectionString = await postgres.CreateDatabaseAsync();
        var cluster = new TestCluster(postgres, sandbox, connectionString, extraSiloArgs)
        {
            _extraSiloEnvironment = siloEnvironment,
            _configureClient = configureClient,
        };
        try
        {
            var migrate = await cluster.MigrateAsync();
            if (migrate.ExitCode != 0) throw new InvalidOperationException($"migrate exited {migrate.ExitCode}: {migrate.Stderr}");
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
    public async Task<SiloNode> AddSiloAsync()
    {
        var ports = FreePorts.Next(3);
        var name = $"silo-{Interlocked.Increment(ref _started)}";
        string[] args =
        [
            "--storage", "postgres",
            "--postgres", ConnectionString,
            "--cluster-id", ClusterId,
            "--service-id", ServiceId,
            "--data-dir", Path.Combine(_data.Path, name),
            "--advertise", "127.0.0.1",
            "--silo-port", ports[0].ToString(),
            "--gateway-port", ports[1].ToString(),
            "--http-port", ports[2].ToString(),
            .. EngineTestSettings.FastArgs,
            .. FastMembershipArgs,
            .. _siloArgs,
        ];
        var silo = SiloNode.Start(name, args, SiloEnvironment, ports[0], ports[1], ports[2]);
        lock (_silos) _silos.Add(silo);
        await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        return silo;
    }

    /// <summary>
    /// Waits until every live silo knows every other as active. A silo is ready once it is a member itself;
    /// the others learn of it a moment later, and until then place nothing on it.
    /// </summary>
    public async Task WaitUntilEverySiloSeesAllAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var live = _silos.Where(s => !s.Killed && !s.Crashed).ToList();
        await Retry.UntilAsync($"each of {live.Count} silos to see all of them active", TimeSpan.FromSeconds(60), async () =>
        {
            var seen = await Task.WhenAll(live.Select(s => s.ActiveSilosSeenAsync(http)));
            return (seen.All(n => n == live.Count), string.Join(", ", live.Zip(seen, (s, n) => $"{s.Name} sees {n?.ToString() ?? "?"}")));
        }, poll: TimeSpan.FromMilliseconds(200));
    }

    private async Task ConnectAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client => _configureClient(client
            .UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = ConnectionString;
            })
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ServiceId;
            })
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1))
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(15))));
        _client = builder.Build();
        await _client.StartAsync();
    }

    /// <summary>Enables the project and adds one destination pointing at the sandbox; returns its id.</summary>
    public async Task<string> EnableProjectAsync()
    {
        var url = Sandbox.BaseUrl.ToString();
        await Project.EnableAsync(new EnableProjectRequest(AmplitudeKey, AmplitudeSecret, null, url));
        var destination = await Project.AddDestinationAsync(new AddDestinationRequest("sandbox", IterableKey, null, null, url));
        return destination.DestinationId;
    }

    public void SetCohort(string cohortId, IReadOnlyCollection<string> userIds) =>
        Sandbox.Amplitude.PutMembers(AmplitudeKey, cohortId, $"Cohort {cohortId}", userIds.Select((id, i) => new AmplitudeMember(1_000_000 + i, id)));

    public ICohortSyncGrain Sync(string syncId) => Client.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(ProjectId, syncId));

    public IReadOnlyList<string> ListMembers(long listId) => Sandbox.Iterable.GetListMembers(IterableKey, listId);

    /// <summary>The sync's status, retried while the cluster is re-forming (a silo just died, calls to it time out).</summary>
    public Task<SyncInfo> StatusAsync(string syncId) => Retry.CallAsync(() => Sync(syncId).GetStatusAsync());

    /// <summary>The silo (by its silo port) that hosts the sync's activation now, or null when none is active.</summary>
    public async Task<SiloNode?> HostOfAsync(string syncId)
    {
        var address = await Retry.CallAsync(() => Client.GetGrain<IManagementGrain>(0).GetActivationAddress(Sync(syncId)).AsTask());
        return address is null ? null : _silos.FirstOrDefault(s => s.SiloPort == address.Endpoint.Port);
    }

    /// <summary>The silo's latest status in the membership table (Orleans' SiloStatus: 3 active, 6 dead).</summary>
    public async Task<int?> MembershipStatusAsync(SiloNode silo)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM orleans_membership WHERE deployment_id = @id AND port = @port ORDER BY generation DESC LIMIT 1";
        command.Parameters.AddWithValue("id", ClusterId);
        command.Parameters.AddWithValue("port", silo.SiloPort);
        return await command.ExecuteScalarAsync() is int status ? status : null;
    }

    /// <summary>Silos that exited without the test killing them, with their last output.</summary>
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
        await Sandbox.DisposeAsync();
        _data.Dispose();
    }
}
