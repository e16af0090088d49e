using System.Net;
using CohortSync.Contracts;
using CohortSync.Sandbox;
using CohortSync.Sandbox.RequestLogging;
using CohortSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace CohortSync.LoadHarness;

/// <summary>
/// The sandbox in this process (Iterable without a rate limit, Amplitude generating cohorts as it streams),
/// the silo as its own process on a fresh SQLite file (so its memory is its own), and an Orleans client.
/// </summary>
public sealed class World : IAsyncDisposable
{
    public const string IterableKey = "bench-iterable-key";

    public static string IterableKeyOf(string projectId) => $"{IterableKey}-{projectId}";

    private readonly TempDirectory _data;
    private readonly IHost _client;

    private World(SandboxServer sandbox, SiloProcess silo, IHost client, TempDirectory data)
    {
        Sandbox = sandbox;
        Silo = silo;
        _client = client;
        _data = data;
    }

    public SandboxServer Sandbox { get; }
    public SiloProcess Silo { get; }
    public IClusterClient Grains => _client.Services.GetRequiredService<IClusterClient>();

    public static async Task<World> StartAsync(HarnessOptions options)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions { RequestLogCapacity = 2_000_000 });
        var data = new TempDirectory("cohortsync-bench-");
        var silo = await SiloProcess.StartAsync(data.Path, [.. options.SiloArgs]);

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client
            .UseStaticClustering(new IPEndPoint(IPAddress.Loopback, silo.GatewayPort))
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = ("cohortsync", "cohortsync"))
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(2)));
        var client = builder.Build();
        await client.StartAsync();
        return new World(sandbox, silo, client, data);
    }

    /// <summary>
    /// Registers an Amplitude project in the sandbox, enables it in the engine with one destination; returns the
    /// destination id. Each project writes to an Iterable project of its own (its own key), as tenants do.
    /// </summary>
    public async Task<string> EnableProjectAsync(string projectId, string amplitudeKey)
    {
        var iterableKey = IterableKeyOf(projectId);
        Sandbox.Iterable.AddApiKey(iterableKey);
        Sandbox.Amplitude.PutProject(amplitudeKey, amplitudeKey + "-secret");
        var project = Grains.GetGrain<IProjectGrain>(projectId);
        await project.EnableAsync(new EnableProjectRequest(amplitudeKey, amplitudeKey + "-secret", null, Sandbox.BaseUrl.ToString()));
        // The sandbox has no rate limit; the destination's budget must not be the bottleneck either.
        var destination = await project.AddDestinationAsync(new AddDestinationRequest(
            "sandbox", iterableKey, null, null, Sandbox.BaseUrl.ToString(), RequestsPerSecond: 10_000, MaxRequestsPerSecond: 10_000));
        return destination.DestinationId;
    }

    public ICohortSyncGrain Sync(string projectId, string syncId) => Grains.GetGrain<ICohortSyncGrain>(GrainKeys.Sync(projectId, syncId));

    /// <summary>Waits until run <paramref name="runNumber"/> (or a later one) of the sync has finished.</summary>
    public async Task<RunRecord> WaitForRunAsync(string projectId, string syncId, long runNumber, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var status = await Sync(projectId, syncId).GetStatusAsync();
            if (status.ActiveRun is null && status.LastRun is { } last && last.RunNumber >= runNumber) return last;
            if (DateTimeOffset.UtcNow > deadline) throw new TimeoutException($"run {runNumber} of {projectId}/{syncId} did not finish in {timeout}");
            await Task.Delay(100);
        }
    }

    public long Mark => Sandbox.Requests.LastSequence;

    public int IterableWritesSince(long mark) => Sandbox.Requests.Since(mark).Count(IsMembershipWrite);

    public static bool IsMembershipWrite(RequestLogEntry e) =>
        e.Method == "POST" && e.Path is "/api/lists/subscribe" or "/api/lists/unsubscribe";

    public async ValueTask DisposeAsync()
    {
        await _client.StopAsync();
        _client.Dispose();
        await Silo.DisposeAsync();
        await Sandbox.DisposeAsync();
        _data.Dispose();
    }
}
